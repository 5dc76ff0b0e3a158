-- A compute site may be an ARC CE (A-REX's REST interface), besides local and Slurm executors.
alter table compute_sites drop constraint compute_sites_executor_check;
alter table compute_sites
  add constraint compute_sites_executor_check check (executor in ('local', 'slurm', 'arc'));
