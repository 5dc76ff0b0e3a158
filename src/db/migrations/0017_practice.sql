-- Communities of practice at work (D3.1): working-group charters, memberships with roles,
-- meetings with notes and decisions, versioned questionnaires with responses per respondent and
-- reviewed acceptance into use-case profiles, stakeholder interviews against findings, and
-- drafts under consultation with threaded comments. Working groups themselves stay catalogue
-- records (working_groups); every row here says who wrote it and when.

create table practice_charters (
  id               uuid primary key,
  working_group_id uuid not null references working_groups (id) on delete cascade,
  charter          text not null,
  adopted_by       text not null,
  adopted_at       timestamptz not null
);
create index practice_charters_group_idx on practice_charters (working_group_id, adopted_at);

create table practice_memberships (
  id               uuid primary key,
  working_group_id uuid not null references working_groups (id) on delete cascade,
  principal        text not null,
  display_name     text not null,
  community        text not null,
  role             text not null check (role in ('member', 'coordinator', 'reviewer')),
  added_by         text not null,
  added_at         timestamptz not null,
  constraint practice_memberships_key unique (working_group_id, principal)
);
create index practice_memberships_principal_idx on practice_memberships (principal);

create table practice_meetings (
  id               uuid primary key,
  working_group_id uuid not null references working_groups (id) on delete cascade,
  title            text not null,
  held_on          text not null,
  notes            text not null default '',
  decisions        jsonb not null,
  created_by       text not null,
  created_at       timestamptz not null
);
create index practice_meetings_group_idx on practice_meetings (working_group_id, held_on);

create table practice_questionnaires (
  id               uuid primary key,
  name             text not null constraint practice_questionnaires_name_key unique,
  title            text not null,
  working_group_id uuid not null references working_groups (id) on delete restrict,
  created_by       text not null,
  created_at       timestamptz not null
);

-- A new version is a new row: responses keep pointing at the version they answered.
create table practice_questionnaire_versions (
  id               uuid primary key,
  questionnaire_id uuid not null references practice_questionnaires (id) on delete cascade,
  version          integer not null check (version >= 1),
  questions        jsonb not null,
  created_by       text not null,
  created_at       timestamptz not null,
  constraint practice_questionnaire_versions_key unique (questionnaire_id, version)
);

create table practice_responses (
  id               uuid primary key,
  questionnaire_id uuid not null references practice_questionnaires (id) on delete cascade,
  version          integer not null,
  respondent       text not null,
  community        text not null,
  answers          jsonb not null,
  submitted_at     timestamptz not null,
  constraint practice_responses_key unique (questionnaire_id, version, respondent),
  constraint practice_responses_version_fk foreign key (questionnaire_id, version)
    references practice_questionnaire_versions (questionnaire_id, version) on delete cascade
);
create index practice_responses_time_idx on practice_responses (questionnaire_id, submitted_at);

-- A reviewer's acceptance of aggregated results into a use case's profile: what changed, by whom.
create table practice_reviews (
  id               uuid primary key,
  questionnaire_id uuid not null references practice_questionnaires (id) on delete restrict,
  version          integer not null,
  use_case         text not null,
  community        text,
  fields           jsonb not null,
  before           jsonb not null,
  after            jsonb not null,
  responses        integer not null,
  reviewer         text not null,
  accepted_at      timestamptz not null
);
create index practice_reviews_questionnaire_idx on practice_reviews (questionnaire_id, accepted_at);

create table practice_findings (
  id               uuid primary key,
  name             text not null constraint practice_findings_name_key unique,
  working_group_id uuid not null references working_groups (id) on delete restrict,
  statement        text not null,
  status           text not null default 'open' check (status in ('open', 'validated', 'contested')),
  status_note      text not null default '',
  status_by        text,
  status_at        timestamptz,
  created_by       text not null,
  created_at       timestamptz not null
);

create table practice_interviews (
  id               uuid primary key,
  working_group_id uuid not null references working_groups (id) on delete restrict,
  interviewee      text not null,
  protocol         text not null,
  held_on          text not null,
  summary          text not null default '',
  created_by       text not null,
  created_at       timestamptz not null
);

create table practice_interview_findings (
  interview_id uuid not null references practice_interviews (id) on delete cascade,
  finding_id   uuid not null references practice_findings (id) on delete restrict,
  stance       text not null check (stance in ('supports', 'contests', 'neutral')),
  note         text not null default '',
  primary key (interview_id, finding_id)
);
create index practice_interview_findings_finding_idx on practice_interview_findings (finding_id);

create table practice_drafts (
  id               uuid primary key,
  name             text not null constraint practice_drafts_name_key unique,
  title            text not null,
  working_group_id uuid not null references working_groups (id) on delete restrict,
  body             text not null,
  status           text not null default 'draft' check (status in ('draft', 'consultation', 'closed')),
  created_by       text not null,
  created_at       timestamptz not null,
  published_at     timestamptz,
  closed_at        timestamptz
);

create table practice_comments (
  id          uuid primary key,
  draft_id    uuid not null references practice_drafts (id) on delete cascade,
  parent_id   uuid references practice_comments (id) on delete cascade,
  author      text not null,
  community   text,
  body        text not null,
  status      text not null default 'open' check (status in ('open', 'accepted', 'rejected', 'answered')),
  resolution  text,
  resolved_by text,
  resolved_at timestamptz,
  created_at  timestamptz not null
);
create index practice_comments_draft_idx on practice_comments (draft_id, created_at);

-- Who may do what in a working group: the route's resource carries the caller's role in the
-- group (`role`), so these rules are data like every other policy. Coordinators run the group;
-- members write its record (meetings, interviews, findings, drafts); reviewers decide what is
-- validated and what reaches a use case's profile — of a use case of their own community
-- (`targetCommunity`). Answering a questionnaire and commenting on
-- a draft under consultation are open to every authenticated identity (open consultation).
insert into policies (id, name, version, body, description, source, created_by) values
('00000000-0000-7000-8000-000000000018', 'practice-roles', 1,
 'permit (principal, action in [Action::"practice.member.add", Action::"practice.charter.update", Action::"practice.questionnaire.create", Action::"practice.questionnaire.update", Action::"practice.draft.update", Action::"practice.comment.resolve"], resource) when { resource has role && resource.role == "coordinator" };
permit (principal, action in [Action::"practice.meeting.create", Action::"practice.interview.create", Action::"practice.finding.create", Action::"practice.draft.create"], resource) when { resource has role && ["member", "coordinator", "reviewer"].contains(resource.role) };
permit (principal, action == Action::"practice.finding.update", resource) when { resource has role && ["reviewer", "coordinator"].contains(resource.role) };
permit (principal, action == Action::"practice.review.create", resource) when { resource has role && ["reviewer", "coordinator"].contains(resource.role) && resource has targetCommunity && principal.communities.contains(resource.targetCommunity) };
permit (principal, action in [Action::"practice.response.create", Action::"practice.comment.create"], resource);',
 'Coordinators run a working group; its members record meetings, interviews, findings and drafts; reviewers validate findings and accept survey results into the profiles of their own communities'' use cases; anyone signed in answers questionnaires and comments on drafts under consultation.', 'builtin', 'migration');
