-- Working groups change over time (issue 21, left from the first round): a member's role can
-- change and a member can leave or be removed; a meeting's record can be corrected. Who made
-- the last change and when is kept on the row; the audit log keeps every decision.
alter table practice_memberships
  add column changed_by text,
  add column changed_at timestamptz;
alter table practice_meetings
  add column updated_by text,
  add column updated_at timestamptz;

-- The built-in `practice-roles` policy learns the new actions: coordinators change roles,
-- remove members and correct meetings; a member may leave (`ownMembership`) and may correct a
-- meeting they recorded (`recordedByCaller`). Only a policy still as shipped is replaced: a
-- site that edited it keeps its own version.
insert into policies (id, name, version, body, description, source, created_by)
select '00000000-0000-7000-8000-000000000022', 'practice-roles', p.version + 1,
 'permit (principal, action in [Action::"practice.member.add", Action::"practice.member.update", Action::"practice.member.remove", Action::"practice.meeting.update", Action::"practice.charter.update", Action::"practice.questionnaire.create", Action::"practice.questionnaire.update", Action::"practice.draft.update", Action::"practice.comment.resolve"], resource) when { resource has role && resource.role == "coordinator" };
permit (principal, action == Action::"practice.member.remove", resource) when { resource has ownMembership && resource.ownMembership == "true" };
permit (principal, action == Action::"practice.meeting.update", resource) when { resource has recordedByCaller && resource.recordedByCaller == "true" && resource has role && ["member", "coordinator", "reviewer"].contains(resource.role) };
permit (principal, action in [Action::"practice.meeting.create", Action::"practice.interview.create", Action::"practice.finding.create", Action::"practice.draft.create"], resource) when { resource has role && ["member", "coordinator", "reviewer"].contains(resource.role) };
permit (principal, action == Action::"practice.finding.update", resource) when { resource has role && ["reviewer", "coordinator"].contains(resource.role) };
permit (principal, action == Action::"practice.review.create", resource) when { resource has role && ["reviewer", "coordinator"].contains(resource.role) && resource has targetCommunity && principal.communities.contains(resource.targetCommunity) };
permit (principal, action in [Action::"practice.response.create", Action::"practice.comment.create"], resource);',
 'Coordinators run a working group (members, roles, charter, meeting records); its members record meetings, interviews, findings and drafts, correct the meetings they recorded and may leave; reviewers validate findings and accept survey results into the profiles of their own communities'' use cases; anyone signed in answers questionnaires and comments on drafts under consultation.',
 'builtin', 'migration'
from policies p
where p.name = 'practice-roles'
  and p.version = (select max(version) from policies where name = 'practice-roles')
  and p.source = 'builtin'
  and not p.deleted;
