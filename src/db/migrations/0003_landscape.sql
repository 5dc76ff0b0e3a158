-- Landscape catalogue (D5.3 / D5.2 / D3.1 / D5.1): sites, compute and storage services, software
-- environments, network links, access policies, allocations, working groups, members, use cases
-- and knowledge-hub documents. Lists and nested objects are jsonb; references are foreign keys
-- except name lists inside jsonb, which the use cases check on every write.

create table sites (
  id             uuid primary key,
  name           text not null constraint sites_name_key unique,
  title          text not null,
  infrastructure_id uuid not null references infrastructures (id) on delete restrict,
  country        text not null,
  city           text,
  tier           integer,
  attributes     jsonb not null default '{}',
  description    text not null default '',
  source         text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);
create index sites_infrastructure_idx on sites (infrastructure_id);

create table compute_services (
  id                  uuid primary key,
  name                text not null constraint compute_services_name_key unique,
  title               text not null,
  infrastructure_id   uuid not null references infrastructures (id) on delete restrict,
  site_id             uuid references sites (id) on delete restrict,
  batch_system        text not null check (batch_system in ('slurm', 'htcondor', 'kubernetes', 'pbs', 'cloud', 'local')),
  cores               bigint not null check (cores >= 0),
  memory_per_core_gb  double precision,
  accelerators        jsonb not null default '[]',
  max_walltime_hours  double precision,
  interactive         boolean not null default false,
  container_runtimes  jsonb not null default '[]',
  network_egress_gbps double precision,
  energy              jsonb,
  attributes          jsonb not null default '{}',
  description         text not null default '',
  source              text,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create index compute_services_infrastructure_idx on compute_services (infrastructure_id);
create index compute_services_site_idx on compute_services (site_id);

create table storage_services (
  id                uuid primary key,
  name              text not null constraint storage_services_name_key unique,
  title             text not null,
  infrastructure_id uuid not null references infrastructures (id) on delete restrict,
  site_id           uuid references sites (id) on delete restrict,
  media             text not null check (media in ('disk', 'tape', 'object')),
  protocols         jsonb not null,
  capacity_tb       double precision,
  attributes        jsonb not null default '{}',
  description       text not null default '',
  source            text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index storage_services_infrastructure_idx on storage_services (infrastructure_id);
create index storage_services_site_idx on storage_services (site_id);

create table software_environments (
  id               uuid primary key,
  name             text not null constraint software_environments_name_key unique,
  title            text not null,
  kind             text not null check (kind in ('container', 'cvmfs', 'modules', 'conda')),
  reference        text not null,
  compute_services jsonb not null default '[]',
  description      text not null default '',
  source           text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);

create table network_links (
  id             uuid primary key,
  name           text not null constraint network_links_name_key unique,
  from_id        uuid not null references sites (id) on delete restrict,
  to_id          uuid not null references sites (id) on delete restrict,
  bandwidth_gbps double precision not null,
  latency_ms     double precision,
  description    text not null default '',
  source         text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);
create index network_links_from_idx on network_links (from_id);
create index network_links_to_idx on network_links (to_id);

create table access_policies (
  id                   uuid primary key,
  name                 text not null constraint access_policies_name_key unique,
  title                text not null,
  infrastructure_id    uuid not null references infrastructures (id) on delete restrict,
  route                text not null check (route in ('peer-reviewed-call', 'rolling', 'preparatory', 'community-membership', 'commercial', 'national')),
  services             jsonb not null default '[]',
  eligibility          jsonb not null,
  allocation_unit      text,
  typical_size         double precision,
  period_months        integer,
  renewable            boolean not null default false,
  multi_year           boolean not null default false,
  accepted_aai         jsonb not null default '[]',
  cross_infrastructure boolean not null default false,
  interactive          boolean not null default false,
  unattended_workflows boolean not null default false,
  user_interfaces      jsonb not null default '[]',
  feedback_loop        boolean not null default false,
  description          text not null default '',
  source               text,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create index access_policies_infrastructure_idx on access_policies (infrastructure_id);

create table allocations (
  id           uuid primary key,
  name         text not null constraint allocations_name_key unique,
  community_id uuid not null references communities (id) on delete restrict,
  service      text not null,
  amount       double precision not null,
  unit         text not null,
  policy_id    uuid references access_policies (id) on delete restrict,
  period_start text,
  period_end   text,
  used         double precision not null default 0,
  description  text not null default '',
  source       text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index allocations_community_idx on allocations (community_id);

create table working_groups (
  id           uuid primary key,
  name         text not null constraint working_groups_name_key unique,
  title        text not null,
  community_id uuid not null references communities (id) on delete restrict,
  description  text not null default '',
  source       text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);

create table community_members (
  id             uuid primary key,
  name           text not null,
  community_id   uuid not null references communities (id) on delete restrict,
  display_name   text not null,
  email          text,
  affiliation    text,
  roles          jsonb not null default '[]',
  working_groups jsonb not null default '[]',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint community_members_name_key unique (community_id, name)
);

create table use_cases (
  id           uuid primary key,
  name         text not null constraint use_cases_name_key unique,
  title        text not null,
  community_id uuid not null references communities (id) on delete restrict,
  field        text,
  status       text not null default 'draft' check (status in ('draft', 'surveyed', 'reviewed')),
  profile      jsonb not null default '{}',
  description  text not null default '',
  source       text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index use_cases_community_idx on use_cases (community_id);

create table knowledge_documents (
  id          uuid primary key,
  name        text not null constraint knowledge_documents_name_key unique,
  title       text not null,
  url         text,
  text        text not null default '',
  tags        jsonb not null default '[]',
  links       jsonb not null default '{"useCases":[],"infrastructures":[],"gaps":[]}',
  source      text,
  search      tsvector generated always as (
                setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', text), 'B')
              ) stored,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index knowledge_documents_search_idx on knowledge_documents using gin (search);
