-- Workflows: compute sites the broker places tasks on, workflows and their tasks (a DAG with
-- incremental readiness), task history, and usage records for accounting.

create table compute_sites (
  name                 text primary key,
  executor             text not null check (executor in ('local', 'slurm')),
  batch_system         text not null check (batch_system in ('slurm', 'htcondor', 'kubernetes', 'pbs', 'cloud', 'local')),
  config               jsonb not null default '{}',
  cores                integer not null check (cores > 0),
  memory_per_core_mb   integer not null check (memory_per_core_mb > 0),
  accelerator_model    text,
  accelerator_count    integer not null default 0,
  max_walltime_s       integer,
  interactive          boolean not null default false,
  container_runtimes   jsonb not null default '[]',
  energy_g_co2_per_kwh double precision,
  watts_per_core       double precision not null default 10,
  attributes           jsonb not null default '{}',
  allocation_core_hours double precision,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);

create table workflows (
  id            uuid primary key,
  name          text not null,
  community     text,
  owner         text,
  state         text not null check (state in ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  workdir       text not null,
  no_cache      boolean not null default false,
  output_scope  text,
  output_rule   text,
  definition    text not null,
  tasks_total   integer not null,
  tasks_done    integer not null default 0,
  tasks_failed  integer not null default 0,
  tasks_cancelled integer not null default 0,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  finished_at   timestamptz
);
create index workflows_state_idx on workflows (state, created_at);

create table workflow_tasks (
  id             uuid primary key,
  workflow_id    uuid not null references workflows (id) on delete cascade,
  name           text not null,
  state          text not null check (state in ('waiting', 'ready', 'placed', 'staging', 'submitted', 'running', 'done', 'failed', 'retrying', 'cancelled')),
  spec           jsonb not null,
  pending_deps   integer not null,
  attempt        integer not null default 0,
  max_retries    integer not null default 0,
  backoff_s      integer not null default 10,
  not_before     timestamptz,
  site           text,
  placement      jsonb,
  attempt_id     text,
  external_id    text,
  cache_key      text,
  cached         boolean not null default false,
  claimed_by     text,
  claimed_until  timestamptz,
  exit_code      integer,
  reason         text,
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz not null default now(),
  constraint workflow_tasks_name_key unique (workflow_id, name)
);
-- The dispatcher's queue: ready (and retrying past their backoff) tasks, oldest first.
create index workflow_tasks_queue_idx on workflow_tasks (state, not_before) where state in ('ready', 'retrying');
-- Takeover of tasks whose worker stopped heartbeating.
create index workflow_tasks_active_idx on workflow_tasks (claimed_until) where state in ('placed', 'staging', 'submitted', 'running');
create index workflow_tasks_cache_idx on workflow_tasks (cache_key) where state = 'done';

-- Edges of the DAG, looked up from the finished task to release its dependants.
create table workflow_task_edges (
  from_task uuid not null references workflow_tasks (id) on delete cascade,
  to_task   uuid not null references workflow_tasks (id) on delete cascade,
  primary key (from_task, to_task)
);
create index workflow_task_edges_to_idx on workflow_task_edges (to_task);

create table workflow_task_events (
  id          bigint generated always as identity primary key,
  task_id     uuid not null references workflow_tasks (id) on delete cascade,
  at          timestamptz not null,
  from_state  text,
  to_state    text not null,
  reason      text
);
create index workflow_task_events_task_idx on workflow_task_events (task_id, id);

create table usage_records (
  id            bigint generated always as identity primary key,
  task_id       uuid not null,
  workflow_id   uuid not null,
  attempt       integer not null,
  community     text,
  owner         text,
  site          text not null,
  batch_system  text not null,
  cores         integer not null,
  memory_mb     integer not null,
  wall_s        double precision not null,
  cpu_s         double precision not null,
  energy_kwh    double precision not null,
  state         text not null,
  started_at    timestamptz,
  finished_at   timestamptz not null,
  constraint usage_records_attempt_key unique (task_id, attempt)
);
create index usage_records_finished_idx on usage_records (finished_at);
