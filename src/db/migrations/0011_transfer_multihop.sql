-- Multi-hop transfers, and the retention of finished requests. A closed link has no direct route (Rucio: no distance between the two
-- RSEs; e.g. no network peering or a firewall): its requests are routed through intermediate
-- endpoints. Each attempt records the intermediates it went through, in order.
alter table transfer_links add column closed boolean not null default false;
alter table transfer_attempts add column via text;

-- Finished requests are pruned after the retention period (transfers.history agent), oldest first.
create index transfer_requests_finished_idx on transfer_requests (updated_at)
  where state in ('done', 'failed', 'cancelled');
