-- Partial files of interrupted writes on POSIX endpoints (`<file>.part`), as the partial-file
-- reaper last counted them: those it left (young: maybe a live writer) and those it removed.
-- One row per endpoint, replaced each round; /metrics and operators read it.
create table storage_partial_files (
  endpoint_id   uuid primary key references storage_endpoints (id) on delete cascade,
  files         integer not null check (files >= 0),
  bytes         bigint not null check (bytes >= 0),
  removed_files integer not null check (removed_files >= 0),
  removed_bytes bigint not null check (removed_bytes >= 0),
  counted_at    timestamptz not null
);
