-- Catalogue, first slice: the research communities and the e-Infrastructures they use.

create table communities (
  id          uuid primary key,
  name        text not null,
  title       text not null,
  field       text,
  description text not null default '',
  homepage    text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint communities_name_key unique (name)
);

create table infrastructures (
  id          uuid primary key,
  name        text not null,
  title       text not null,
  kind        text not null check (kind in ('HPC', 'HTC', 'Cloud', 'Data')),
  operator    text not null,
  country     text not null,
  url         text,
  status      text not null default 'operational' check (status in ('operational', 'planned', 'retired')),
  part_of     uuid references infrastructures (id) on delete restrict,
  description text not null default '',
  source      text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint infrastructures_name_key unique (name)
);

create index infrastructures_kind_idx on infrastructures (kind, name);
create index infrastructures_country_idx on infrastructures (country, name);
create index infrastructures_part_of_idx on infrastructures (part_of);
