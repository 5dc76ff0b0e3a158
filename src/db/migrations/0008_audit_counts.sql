-- Identical allowed decisions within one audit flush window (same principal, action, resource,
-- policies, method and path) are stored as one row with a count and the time of the last one;
-- denials stay one row each. `request_id` is the first request's.
alter table audit_log add column count integer not null default 1 check (count >= 1);
alter table audit_log add column last_at timestamptz;
