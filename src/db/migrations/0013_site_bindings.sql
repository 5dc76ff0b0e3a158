-- Sites are catalogue compute services bound to executors: a binding says how to reach the
-- batch system (settings in `config`), which account each community's jobs run under, its
-- limits, the storage endpoints near it and the bandwidth to them, the software environments
-- it declares, what the executor answered when the binding was checked, and whether it takes
-- new tasks (`draining`: running tasks finish, nothing new is placed).
alter table compute_sites
  add column state text not null default 'active' check (state in ('active', 'draining')),
  add column accounts jsonb not null default '{}',
  add column environments jsonb not null default '[]',
  add column near_endpoints jsonb not null default '[]',
  add column endpoint_links jsonb not null default '{}',
  add column offers jsonb not null default '{}',
  add column validated_at timestamptz,
  add column created_by text;

-- A workflow may name the use case it serves (plan → run).
alter table workflows add column use_case text;

-- Operators bind sites (and storage services to endpoints); admins may anyway.
insert into policies (id, name, version, body, description, source, created_by) values
('00000000-0000-7000-8000-000000000017', 'site-operators', 1,
 'permit (principal in Group::"/continuum/operators", action in Action::"sites.write", resource);',
 'Members of /continuum/operators bind catalogue services to executors and endpoints, drain and remove sites.', 'builtin', 'migration');
