-- Security: Cedar policies (versioned), the audit log, device authorisation codes of the
-- built-in issuer, and revoked community memberships.

create table policies (
  id          uuid primary key,
  name        text not null,
  version     integer not null check (version >= 1),
  body        text not null,
  description text not null default '',
  source      text not null default 'api' check (source in ('builtin', 'api', 'access-policy')),
  deleted     boolean not null default false,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  constraint policies_name_version_key unique (name, version)
);

create table audit_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null,
  request_id text not null,
  principal  text,
  action     text not null,
  resource   text not null,
  decision   text not null check (decision in ('allow', 'deny', 'unauthenticated')),
  policies   jsonb not null default '[]',
  reason     text not null default '',
  method     text not null default '',
  path       text not null default ''
);

create index audit_log_at_idx on audit_log (at, id);
create index audit_log_principal_idx on audit_log (principal, id);

create table auth_device_codes (
  device_code_hash text primary key,
  user_code        text not null,
  client_id        text not null,
  scope            text not null default '',
  status           text not null check (status in ('pending', 'approved', 'denied', 'consumed')),
  subject          text,
  groups           jsonb,
  expires_at       timestamptz not null,
  created_at       timestamptz not null,
  constraint auth_device_codes_user_code_key unique (user_code)
);

create table auth_revocations (
  id         uuid primary key,
  issuer     text not null,
  subject    text not null,
  community  text not null,
  created_by text not null,
  created_at timestamptz not null,
  constraint auth_revocations_key unique (issuer, subject, community)
);

-- The starting policy set; edit with `continuum policy add` (a new version) like any other.
insert into policies (id, name, version, body, description, source, created_by) values
('00000000-0000-7000-8000-000000000001', 'admins', 1,
 'permit (principal in Group::"/continuum/admins", action, resource);',
 'Members of /continuum/admins may do everything.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000002', 'authenticated-read', 1,
 'permit (principal, action in Action::"read", resource) unless { action in Action::"audit" || action in Action::"policy" || (resource has community && !principal.communities.contains(resource.community)) };',
 'Any authenticated identity may read, except the audit log, policies and other communities'' resources.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000003', 'community-write', 1,
 'permit (principal, action in Action::"write", resource) when { resource has community && principal.communities.contains(resource.community) };',
 'Members of a community may change the resources that community owns.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000004', 'wlcg-capabilities', 1,
 'forbid (principal, action, resource) when { context.capabilityToken && !context.scopeGrants };
permit (principal, action, resource) when { context.capabilityToken && context.scopeGrants };',
 'A token with storage.*/compute.* scopes is authorised by its scopes alone (WLCG profile).', 'builtin', 'migration');
