/** HTTP routes of communities of practice: working groups, meetings, interviews, findings, drafts, hub. */
import type { FastifyInstance } from 'fastify'
import {
  CharterUpdateSchema,
  CommentCreateSchema,
  CommentParamsSchema,
  CommentResolveSchema,
  CommentSchema,
  DraftCreateSchema,
  DraftSchema,
  DraftStatusUpdateSchema,
  FindingCreateSchema,
  FindingSchema,
  FindingStatusUpdateSchema,
  GroupCreateSchema,
  GroupDetailSchema,
  GroupListSchema,
  HubHitsSchema,
  HubQuerySchema,
  InterviewCreateSchema,
  InterviewSchema,
  MeetingCreateSchema,
  MeetingParamsSchema,
  MeetingSchema,
  MeetingUpdateSchema,
  MemberAddSchema,
  MemberRemoveQuerySchema,
  MemberUpdateSchema,
  MembershipSchema,
  PageOnlyQuerySchema,
  PageSchema,
  PracticeListQuerySchema,
  PracticeNameParamsSchema,
  Type,
  type CommentCreate,
  type CommentResolve,
  type DraftCreate,
  type FindingCreate,
  type FindingStatus,
  type GroupCreate,
  type InterviewCreate,
  type MeetingCreate,
  type MeetingUpdate,
  type MemberAdd,
  type MemberUpdate,
  type PracticeListQuery,
} from '../../contract/index.js'
import {
  addComment,
  addDraft,
  addFinding,
  addGroup,
  addInterview,
  addMeeting,
  addMember,
  getDraft,
  getFinding,
  getGroup,
  listDrafts,
  listFindings,
  listGroups,
  listInterviews,
  moveDraft,
  removeMember,
  resolveComment,
  searchHub,
  setFindingStatus,
  updateCharter,
  updateMeeting,
  updateMember,
} from '../../practice/index.js'
import { routeSchema } from '../route-schema.js'
import {
  communityOfBody,
  meetingResource,
  memberResource,
  practiceItem,
} from './practice-resources.js'

type Name = { name: string }
const tags = ['practice']
const params = PracticeNameParamsSchema

export function practiceRoutes(app: FastifyInstance): void {
  app.get('/practice/groups', {
    config: { action: 'practice.group.list' },
    schema: routeSchema({
      operationId: 'listWorkingGroups',
      tags,
      summary:
        'Working groups with their current charter, member and meeting counts, and your role',
      response: { 200: GroupListSchema },
    }),
    handler: async (request) => ({ items: await listGroups(request.ctx) }),
  })
  app.post<{ Body: GroupCreate }>('/practice/groups', {
    config: { action: 'practice.group.create', resource: communityOfBody },
    schema: routeSchema({
      operationId: 'addWorkingGroup',
      tags,
      summary:
        'Create a working group with its charter in one of your communities; you become its coordinator',
      body: GroupCreateSchema,
      response: { 201: GroupDetailSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addGroup(request.ctx, request.body)),
  })
  app.get<{ Params: Name }>('/practice/groups/:name', {
    config: { action: 'practice.group.read' },
    schema: routeSchema({
      operationId: 'getWorkingGroup',
      tags,
      summary:
        'A working group: charter history, members with roles, meetings with notes and decisions',
      params,
      response: { 200: GroupDetailSchema },
    }),
    handler: (request) => getGroup(request.ctx, request.params.name),
  })
  app.put<{ Params: Name; Body: { charter: string } }>('/practice/groups/:name/charter', {
    config: { action: 'practice.charter.update', resource: practiceItem('group') },
    schema: routeSchema({
      operationId: 'updateCharter',
      tags,
      summary: 'Adopt a new charter (coordinators); earlier charters stay in the history',
      params,
      body: CharterUpdateSchema,
      response: { 200: GroupDetailSchema },
    }),
    handler: (request) => updateCharter(request.ctx, request.params.name, request.body.charter),
  })
  app.post<{ Params: Name; Body: MemberAdd }>('/practice/groups/:name/members', {
    config: { action: 'practice.member.add', resource: practiceItem('group') },
    schema: routeSchema({
      operationId: 'addGroupMember',
      tags,
      summary: 'Add a member with a role: member, coordinator or reviewer (coordinators)',
      params,
      body: MemberAddSchema,
      response: { 201: MembershipSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addMember(request.ctx, request.params.name, request.body)),
  })
  app.patch<{ Params: Name; Body: MemberUpdate }>('/practice/groups/:name/members', {
    config: { action: 'practice.member.update', resource: memberResource },
    schema: routeSchema({
      operationId: 'updateGroupMember',
      tags,
      summary:
        "Change a member's role or display name (coordinators); a group keeps at least one coordinator",
      params,
      body: MemberUpdateSchema,
      response: { 200: MembershipSchema },
    }),
    handler: (request) => updateMember(request.ctx, request.params.name, request.body),
  })
  app.delete<{ Params: Name; Querystring: { principal: string } }>(
    '/practice/groups/:name/members',
    {
      config: { action: 'practice.member.remove', resource: memberResource },
      schema: routeSchema({
        operationId: 'removeGroupMember',
        tags,
        summary:
          'Remove a member (coordinators), or leave the group (the member); never its last coordinator',
        params,
        querystring: MemberRemoveQuerySchema,
        response: { 204: Type.Null() },
      }),
      handler: async (request, reply) => {
        await removeMember(request.ctx, request.params.name, request.query.principal)
        return reply.status(204).send()
      },
    },
  )
  app.post<{ Params: Name; Body: MeetingCreate }>('/practice/groups/:name/meetings', {
    config: { action: 'practice.meeting.create', resource: practiceItem('group') },
    schema: routeSchema({
      operationId: 'addMeeting',
      tags,
      summary: "Record a meeting with notes and decisions (the group's members)",
      params,
      body: MeetingCreateSchema,
      response: { 201: MeetingSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addMeeting(request.ctx, request.params.name, request.body)),
  })

  app.patch<{ Params: { name: string; id: string }; Body: MeetingUpdate }>(
    '/practice/groups/:name/meetings/:id',
    {
      config: { action: 'practice.meeting.update', resource: meetingResource },
      schema: routeSchema({
        operationId: 'updateMeeting',
        tags,
        summary:
          "Correct a meeting's record: title, day, notes or decisions (coordinators, or who recorded it)",
        params: MeetingParamsSchema,
        body: MeetingUpdateSchema,
        response: { 200: MeetingSchema },
      }),
      handler: (request) =>
        updateMeeting(request.ctx, request.params.name, request.params.id, request.body),
    },
  )

  app.get<{ Querystring: PracticeListQuery }>('/practice/findings', {
    config: { action: 'practice.finding.list' },
    schema: routeSchema({
      operationId: 'listFindings',
      tags,
      summary:
        'Findings with their status and how many interviews support or contest them, oldest first, a page at a time',
      querystring: PracticeListQuerySchema,
      response: { 200: PageSchema(FindingSchema) },
    }),
    handler: (request) => listFindings(request.ctx, request.query),
  })
  app.post<{ Body: FindingCreate }>('/practice/findings', {
    config: { action: 'practice.finding.create', resource: practiceItem('group', 'body') },
    schema: routeSchema({
      operationId: 'addFinding',
      tags,
      summary: 'State a finding to be checked in interviews (open until reviewed)',
      body: FindingCreateSchema,
      response: { 201: FindingSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addFinding(request.ctx, request.body)),
  })
  app.put<{ Params: Name; Body: { status: FindingStatus; note?: string } }>(
    '/practice/findings/:name/status',
    {
      config: { action: 'practice.finding.update', resource: practiceItem('finding') },
      schema: routeSchema({
        operationId: 'setFindingStatus',
        tags,
        summary:
          'Mark a finding validated, contested or open again (reviewers); needs an interview that supports or contests it',
        params,
        body: FindingStatusUpdateSchema,
        response: { 200: FindingSchema },
      }),
      handler: (request) =>
        setFindingStatus(request.ctx, request.params.name, request.body.status, request.body.note),
    },
  )
  app.get<{ Params: Name }>('/practice/findings/:name', {
    config: { action: 'practice.finding.read' },
    schema: routeSchema({
      operationId: 'getFinding',
      tags,
      summary: 'One finding',
      params,
      response: { 200: FindingSchema },
    }),
    handler: (request) => getFinding(request.ctx, request.params.name),
  })
  app.get<{ Querystring: PracticeListQuery }>('/practice/interviews', {
    config: { action: 'practice.interview.list' },
    schema: routeSchema({
      operationId: 'listInterviews',
      tags,
      summary:
        'Stakeholder interviews and the findings each supports or contests, earliest first, a page at a time',
      querystring: PracticeListQuerySchema,
      response: { 200: PageSchema(InterviewSchema) },
    }),
    handler: (request) => listInterviews(request.ctx, request.query),
  })
  app.post<{ Body: InterviewCreate }>('/practice/interviews', {
    config: { action: 'practice.interview.create', resource: practiceItem('group', 'body') },
    schema: routeSchema({
      operationId: 'addInterview',
      tags,
      summary: "Record an interview under a protocol against the group's findings (members)",
      body: InterviewCreateSchema,
      response: { 201: InterviewSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addInterview(request.ctx, request.body)),
  })

  app.get<{ Querystring: { limit?: number; cursor?: string } }>('/practice/drafts', {
    config: { action: 'practice.draft.list' },
    schema: routeSchema({
      operationId: 'listDrafts',
      tags,
      summary:
        'Drafts with their consultation status and comment threads, by name, a page at a time',
      querystring: PageOnlyQuerySchema,
      response: { 200: PageSchema(DraftSchema) },
    }),
    handler: (request) => listDrafts(request.ctx, request.query),
  })
  app.post<{ Body: DraftCreate }>('/practice/drafts', {
    config: { action: 'practice.draft.create', resource: practiceItem('group', 'body') },
    schema: routeSchema({
      operationId: 'addDraft',
      tags,
      summary: "Write a draft document in a working group (the group's members)",
      body: DraftCreateSchema,
      response: { 201: DraftSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addDraft(request.ctx, request.body)),
  })
  app.get<{ Params: Name }>('/practice/drafts/:name', {
    config: { action: 'practice.draft.read' },
    schema: routeSchema({
      operationId: 'getDraft',
      tags,
      summary: 'A draft with its threaded comments and their resolutions',
      params,
      response: { 200: DraftSchema },
    }),
    handler: (request) => getDraft(request.ctx, request.params.name),
  })
  app.put<{ Params: Name; Body: { status: 'consultation' | 'closed' } }>(
    '/practice/drafts/:name/status',
    {
      config: { action: 'practice.draft.update', resource: practiceItem('draft') },
      schema: routeSchema({
        operationId: 'setDraftStatus',
        tags,
        summary:
          'Open the consultation on a draft (`consultation`) or end it (`closed`) (coordinators); comments can be resolved after the end',
        params,
        body: DraftStatusUpdateSchema,
        response: { 200: DraftSchema },
      }),
      handler: (request) =>
        moveDraft(
          request.ctx,
          request.params.name,
          request.body.status === 'consultation' ? 'publish' : 'close',
        ),
    },
  )
  app.post<{ Params: Name; Body: CommentCreate }>('/practice/drafts/:name/comments', {
    config: { action: 'practice.comment.create', resource: practiceItem('draft') },
    schema: routeSchema({
      operationId: 'addComment',
      tags,
      summary: 'Comment on a draft under consultation, or reply to a comment (anyone signed in)',
      params,
      body: CommentCreateSchema,
      response: { 201: CommentSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addComment(request.ctx, request.params.name, request.body)),
  })
  app.post<{ Params: { name: string; id: string }; Body: CommentResolve }>(
    '/practice/drafts/:name/comments/:id/resolution',
    {
      config: { action: 'practice.comment.resolve', resource: practiceItem('draft') },
      schema: routeSchema({
        operationId: 'resolveComment',
        tags,
        summary: 'Resolve a comment as accepted, rejected or answered, with a note (coordinators)',
        params: CommentParamsSchema,
        body: CommentResolveSchema,
        response: { 200: CommentSchema },
      }),
      handler: (request) =>
        resolveComment(request.ctx, request.params.name, request.params.id, request.body),
    },
  )

  app.get<{ Querystring: { q: string; limit?: number } }>('/practice/hub', {
    config: { action: 'practice.hub.list' },
    schema: routeSchema({
      operationId: 'searchKnowledgeHub',
      tags,
      summary:
        "Search the knowledge hub: documents, working groups' charters, meetings, questionnaires, findings, interviews, drafts and comments",
      querystring: HubQuerySchema,
      response: { 200: HubHitsSchema },
    }),
    handler: async (request) => ({
      items: await searchHub(request.ctx, request.query.q, request.query.limit ?? 20),
    }),
  })
}
