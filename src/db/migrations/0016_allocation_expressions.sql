-- Allocations that span infrastructures. An allocation now names the services it may be used
-- on by an expression over the catalogue's services (`infra=lumi|infra=leonardo`); the old
-- single `service` stays valid and means `name=<service>`. It may grant several amounts at once
-- (compute, storage on disk or tape, transfer volume), may be renewable, and may be marked as an
-- example (the demo's). Usage records say which allocation a task was charged to and how many
-- accelerators it held (GPU-hours). Quotas may be set on an endpoint expression: a ceiling on
-- what an owner locks on all the endpoints the expression covers, together.
alter table allocations alter column service drop not null;
alter table allocations add column services text;
alter table allocations add column grants jsonb not null default '[]';
alter table allocations add column renewable boolean not null default false;
alter table allocations add column example boolean not null default false;
alter table allocations add constraint allocations_services_check
  check (service is not null or services is not null);

alter table usage_records add column allocation text;
alter table usage_records add column accelerators integer not null default 0;
create index usage_records_allocation_idx on usage_records (allocation, finished_at);

create table data_expression_quotas (
  owner      text not null,
  expression text not null,
  bytes      bigint not null check (bytes >= 0),
  created_by text,
  updated_at timestamptz not null,
  primary key (owner, expression)
);

-- Tasks that ran before this migration were charged by site: give them the core-hour
-- allocation of their community on their site's service, so that what is left stays the same.
update usage_records u set allocation = a.name
from allocations a
join communities c on c.id = a.community_id
join compute_services cs on cs.name = a.service
join compute_sites s on s.compute_service_id = cs.id
where u.allocation is null and u.community = c.name and u.site = s.name
  and a.unit = 'core-hours'
  and (a.period_start is null or u.finished_at >= cast(a.period_start as date));
