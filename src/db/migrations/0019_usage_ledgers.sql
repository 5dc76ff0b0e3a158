-- Durable usage for allocations (issue 20): what an allocation's TB-years and TB transferred
-- count must not shrink when the rows they were computed from go. Two append-only ledgers:
-- a rule's locks are written to `released_locks_ledger` (bytes, from when to when they were
-- held) in the transaction that deletes the rule, and a transfer's completed attempts to
-- `transferred_bytes_ledger` in the statement that prunes it from the history. Usage is then
-- what is live plus what the ledgers kept.
create table released_locks_ledger (
  community   text not null,
  endpoint_id uuid not null,
  held_from   timestamptz not null,
  held_until  timestamptz not null,
  bytes       bigint not null check (bytes >= 0)
);
create index released_locks_ledger_idx
  on released_locks_ledger (community, endpoint_id, held_until);

create table transferred_bytes_ledger (
  community   text not null,
  endpoint_id uuid not null,
  finished_at timestamptz not null,
  bytes       bigint not null check (bytes >= 0)
);
create index transferred_bytes_ledger_idx
  on transferred_bytes_ledger (community, endpoint_id, finished_at);
