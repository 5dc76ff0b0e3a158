-- Tenancy: every record says who created it and for which community; scopes can be open data;
-- the built-in policies make a community usable by its members and keep others' items private.

alter table data_scopes add column public boolean not null default false;
alter table data_dids add column created_by text;
alter table data_rules add column community text;
alter table data_rules add column created_by text;
alter table transfer_requests add column created_by text;

-- Rules of existing identifiers belong to their scope's community.
update data_rules r set community = c.name
  from data_scopes s join communities c on c.id = s.community_id
  where s.name = r.scope;

create index data_rules_community_idx on data_rules (community);
create index workflows_community_idx on workflows (community, created_at);

insert into policies (id, name, version, body, description, source, created_by) values
('00000000-0000-7000-8000-000000000012', 'authenticated-read', 2,
 'permit (principal, action in Action::"read", resource) unless { action in Action::"audit" || action in Action::"policy" || action == Action::"auth.revocation.list" || (resource has community && !principal.communities.contains(resource.community) && !(resource has public && resource.public == "true")) };',
 'Any authenticated identity may read, except the audit log, policies, revocations and other communities'' private items (open-data scopes are readable by all).', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000013', 'wlcg-capabilities', 2,
 'forbid (principal, action, resource) when { context.capabilityToken && !context.scopeGrants && action != Action::"auth.identity.read" };
forbid (principal, action, resource) when { context.capabilityToken && resource has community && !principal.communities.contains(resource.community) && !(resource has public && resource.public == "true" && action in Action::"read") && ((context has scopeKind && context.scopeKind == "compute") || !principal.groups.isEmpty()) };
permit (principal, action, resource) when { context.capabilityToken && context.scopeGrants };',
 'A token with storage.*/compute.* scopes is authorised by its scopes (WLCG profile), within its holder''s communities: compute scopes always, storage scopes when the token names groups (a pure capability token is bounded by its issuer''s base path). Any token may ask who it is.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000014', 'revoked-memberships', 1,
 'forbid (principal, action, resource) when { context has revokedCommunities && resource has community && context.revokedCommunities.contains(resource.community) };',
 'A revoked membership stops every token of that subject on the community''s items, capability tokens included.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000015', 'token-scopes', 1,
 'permit (principal, action == Action::"auth.scope.grant", resource) when { resource has community && principal.communities.contains(resource.community) && resource has capability && ["storage.read", "storage.create", "storage.modify", "storage.stage", "compute.read", "compute.create", "compute.modify", "compute.cancel"].contains(resource.capability) };',
 'The built-in issuer grants members storage.* scopes under their community''s scopes and compute.* scopes for their community.', 'builtin', 'migration'),
('00000000-0000-7000-8000-000000000016', 'own-account', 1,
 'permit (principal, action == Action::"data.account.use", resource) when { resource has name && resource.name == principal.subject };',
 'Anyone may charge rules to their own account; community accounts follow community-write.', 'builtin', 'migration');
