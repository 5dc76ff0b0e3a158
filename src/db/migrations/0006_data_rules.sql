-- Data federation, second slice: replication rules, their locks, quotas, and the transfer
-- requests the rule engine creates for missing replicas (claimed by workers with leases).

create table data_rules (
  id                uuid primary key,
  scope             text not null,
  name              text not null,
  account           text not null,
  copies            integer not null check (copies between 1 and 100),
  expression        text not null,
  source_expression text,
  grouping          text not null default 'dataset' check (grouping in ('all', 'dataset', 'none')),
  weight            text,
  activity          text not null default 'default',
  comment           text not null default '',
  state             text not null default 'replicating' check (state in ('replicating', 'ok', 'stuck')),
  locks_ok          integer not null default 0,
  locks_replicating integer not null default 0,
  locks_stuck       integer not null default 0,
  expires_at        timestamptz,
  needs_evaluation  boolean not null default false,
  claimed_by        text,
  claimed_until     timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  foreign key (scope, name) references data_dids (scope, name) on delete restrict
);

create index data_rules_did_idx on data_rules (scope, name);
create index data_rules_expires_idx on data_rules (expires_at) where expires_at is not null;
create index data_rules_evaluation_idx on data_rules (needs_evaluation) where needs_evaluation;

create table data_locks (
  rule_id     uuid not null references data_rules (id) on delete cascade,
  scope       text not null,
  name        text not null,
  endpoint_id uuid not null references storage_endpoints (id) on delete restrict,
  state       text not null check (state in ('ok', 'replicating', 'stuck')),
  bytes       bigint not null default 0,
  reason      text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (rule_id, scope, name, endpoint_id)
);

create index data_locks_replica_idx on data_locks (scope, name, endpoint_id);

create table data_quotas (
  owner       text not null,
  endpoint_id uuid not null references storage_endpoints (id) on delete cascade,
  bytes       bigint not null check (bytes >= 0),
  updated_at  timestamptz not null default now(),
  primary key (owner, endpoint_id)
);

create table transfer_requests (
  id                uuid primary key,
  scope             text not null,
  name              text not null,
  endpoint_id       uuid not null references storage_endpoints (id) on delete restrict,
  state             text not null default 'queued' check (state in ('queued', 'submitted', 'done', 'failed', 'cancelled')),
  activity          text not null default 'default',
  bytes             bigint not null,
  adler32           text,
  source_expression text,
  attempts          integer not null default 0,
  max_attempts      integer not null default 4,
  last_error        text,
  last_source       uuid,
  not_before        timestamptz not null default now(),
  claimed_by        text,
  claimed_until     timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- At most one live request per replica: rules sharing a missing replica share its transfer.
create unique index transfer_requests_live_idx on transfer_requests (scope, name, endpoint_id) where state in ('queued', 'submitted');
create index transfer_requests_claim_idx on transfer_requests (state, not_before);
