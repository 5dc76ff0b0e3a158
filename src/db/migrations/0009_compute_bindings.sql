-- A compute site may be the executor binding of a catalogue compute service: the broker then
-- takes the service's figures (cores, memory, accelerators, walltime, energy, allocations,
-- software environments, site) from the catalogue and only the executor settings from here.
alter table compute_sites
  add column compute_service_id uuid references compute_services (id) on delete set null;
create unique index compute_sites_service_idx on compute_sites (compute_service_id)
  where compute_service_id is not null;
