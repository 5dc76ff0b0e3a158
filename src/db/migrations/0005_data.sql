-- Data federation, first slice: the namespace (scopes, data identifiers, attachments), storage
-- endpoints and replicas. Names are never reused: deleting a DID keeps its row with deleted_at.

create table data_scopes (
  name         text primary key check (length(name) between 1 and 25),
  account      text not null,
  community_id uuid references communities (id) on delete set null,
  created_at   timestamptz not null default now()
);

create table data_dids (
  scope      text not null references data_scopes (name) on delete restrict,
  name       text not null check (length(name) between 1 and 250),
  type       text not null check (type in ('file', 'dataset', 'container')),
  status     text not null default 'open' check (status in ('open', 'closed')),
  monotonic  boolean not null default false,
  bytes      bigint check (bytes >= 0),
  adler32    text check (adler32 ~ '^[0-9a-f]{8}$'),
  sha256     text check (sha256 ~ '^[0-9a-f]{64}$'),
  meta       jsonb not null default '{}',
  account    text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  primary key (scope, name)
);

create index data_dids_meta_idx on data_dids using gin (meta);
create index data_dids_type_idx on data_dids (scope, type, name);

create table data_attachments (
  parent_scope text not null,
  parent_name  text not null,
  child_scope  text not null,
  child_name   text not null,
  created_at   timestamptz not null default now(),
  primary key (parent_scope, parent_name, child_scope, child_name),
  foreign key (parent_scope, parent_name) references data_dids (scope, name) on delete cascade,
  foreign key (child_scope, child_name) references data_dids (scope, name) on delete cascade
);

create index data_attachments_child_idx on data_attachments (child_scope, child_name);

create table storage_endpoints (
  id               uuid primary key,
  name             text not null,
  attributes       jsonb not null default '{}',
  protocols        jsonb not null default '[]',
  available_read   boolean not null default true,
  available_write  boolean not null default true,
  available_delete boolean not null default true,
  capacity_bytes   bigint check (capacity_bytes >= 0),
  used_bytes       bigint not null default 0,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  constraint storage_endpoints_name_key unique (name)
);

create table data_replicas (
  scope       text not null,
  name        text not null,
  endpoint_id uuid not null references storage_endpoints (id) on delete restrict,
  state       text not null check (state in ('available', 'copying', 'bad', 'unavailable')),
  bytes       bigint not null check (bytes >= 0),
  adler32     text check (adler32 ~ '^[0-9a-f]{8}$'),
  path        text not null,
  lock_count  integer not null default 0 check (lock_count >= 0),
  tombstone   timestamptz,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (scope, name, endpoint_id),
  foreign key (scope, name) references data_dids (scope, name) on delete restrict
);

create index data_replicas_endpoint_idx on data_replicas (endpoint_id, scope, name);
create index data_replicas_tombstone_idx on data_replicas (endpoint_id, tombstone) where tombstone is not null;
