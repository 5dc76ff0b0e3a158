-- The transfer scheduler (FTS's job): per-link queues with an adaptive limit of active transfers,
-- activity and community shares, classified failures with an attempt history, and an event log.

-- The link a request waits on is (source_endpoint_id → endpoint_id). The source is chosen when
-- the request is queued and changes on a retry (another replica first); the all-zero id means
-- "no source known yet" (the planner looks again when the request runs).
alter table transfer_requests
  add column source_endpoint_id uuid not null default '00000000-0000-0000-0000-000000000000',
  add column community text not null default '',
  add column priority integer not null default 3 check (priority between 1 and 5),
  add column failure_class text;

-- A rule's priority (1–5, Rucio's range) orders its transfers within their queue.
alter table data_rules add column priority integer not null default 3 check (priority between 1 and 5);

-- Candidates of one queue in scheduling order; the scheduler probes each queue through it.
create index transfer_requests_queue_idx on transfer_requests
  (endpoint_id, source_endpoint_id, community, activity, priority desc, not_before, id) where state = 'queued';
-- Active transfers per link, and the leases that ran out.
create index transfer_requests_active_idx on transfer_requests (endpoint_id, source_endpoint_id) where state = 'submitted';

-- One row per link: its configured ceiling and the optimiser's current limit and last window.
create table transfer_links (
  source_endpoint_id uuid not null,
  dest_endpoint_id   uuid not null,
  max_active         integer not null default 32 check (max_active between 1 and 10000),
  active_limit       integer not null default 8 check (active_limit between 1 and 10000),
  throughput_bps     double precision,
  success_rate       double precision,
  last_decision      text,
  evaluated_at       timestamptz,
  created_at         timestamptz not null default now(),
  primary key (source_endpoint_id, dest_endpoint_id)
);

-- One row per (link, community, activity): the queues the scheduler shares a link's slots among.
-- Rows are created with the first request and never deleted (an empty queue costs one probe).
create table transfer_queues (
  source_endpoint_id uuid not null,
  dest_endpoint_id   uuid not null,
  community          text not null,
  activity           text not null,
  primary key (source_endpoint_id, dest_endpoint_id, community, activity)
);

-- Share weights; activities and communities not listed weigh 1.
create table transfer_shares (
  kind   text not null check (kind in ('activity', 'community')),
  name   text not null,
  weight double precision not null check (weight > 0 and weight <= 1000000),
  primary key (kind, name)
);
insert into transfer_shares (kind, name, weight) values
  ('activity', 'T0 Export', 10),
  ('activity', 'Production', 5),
  ('activity', 'Data Consolidation', 3),
  ('activity', 'default', 2),
  ('activity', 'User Subscriptions', 1);

-- Every finished attempt: where from, how long, how many bytes, and why it failed.
create table transfer_attempts (
  transfer_id        uuid not null references transfer_requests (id) on delete cascade,
  attempt            integer not null,
  source_endpoint_id uuid,
  dest_endpoint_id   uuid not null,
  worker             text not null,
  started_at         timestamptz not null,
  finished_at        timestamptz not null,
  bytes              bigint not null default 0,
  outcome            text not null check (outcome in ('done', 'failed')),
  failure_class      text,
  message            text,
  primary key (transfer_id, attempt)
);
create index transfer_attempts_link_idx on transfer_attempts (source_endpoint_id, dest_endpoint_id, finished_at);
-- The optimiser and the statistics read the recent window of every link at once.
create index transfer_attempts_finished_idx on transfer_attempts (finished_at);

-- The event log: every state change of a request, with its reason.
create table transfer_events (
  id          bigint generated always as identity primary key,
  transfer_id uuid not null references transfer_requests (id) on delete cascade,
  at          timestamptz not null,
  from_state  text,
  to_state    text not null,
  reason      text
);
create index transfer_events_transfer_idx on transfer_events (transfer_id, id);
