/**
 * Wire contract of communities of practice (D3.1): working groups with charters, members with
 * roles, meetings; versioned questionnaires, responses, aggregated results and reviews;
 * interviews against findings; drafts under consultation with threaded comments; the hub search.
 */
import {
  NameSchema,
  Nullable,
  PageQuerySchema,
  StringEnum,
  TextSchema,
  TimestampSchema,
  TitleSchema,
  Type,
  type Static,
} from './common.js'

export const practiceRoles = ['member', 'coordinator', 'reviewer'] as const
export type PracticeRole = (typeof practiceRoles)[number]
export const findingStatuses = ['open', 'validated', 'contested'] as const
export type FindingStatus = (typeof findingStatuses)[number]
export const interviewStances = ['supports', 'contests', 'neutral'] as const
export const draftStatuses = ['draft', 'consultation', 'closed'] as const
export const commentStatuses = ['open', 'accepted', 'rejected', 'answered'] as const
export const commentResolutions = ['accepted', 'rejected', 'answered'] as const
export const questionKinds = ['number', 'share', 'boolean', 'choice', 'choices', 'text'] as const
export type QuestionKind = (typeof questionKinds)[number]

const Principal = Type.String({
  minLength: 1,
  maxLength: 300,
  pattern: '^[^\\u0000\\s]+$',
  description: 'A verified identity as `issuer#subject` (see `continuum whoami`).',
})
const DisplayName = Type.String({ minLength: 1, maxLength: 120, pattern: '^[^\\u0000]*$' })
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })
const QuestionId = Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{0,79}$' })
const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) =>
  Type.Object(p, { additionalProperties: false })

export const PracticeNameParamsSchema = Obj({ name: NameSchema })
export const CommentParamsSchema = Obj({ name: NameSchema, id: Type.String({ format: 'uuid' }) })

// Working groups, members, meetings
export const GroupCreateSchema = Obj({
  name: NameSchema,
  title: TitleSchema,
  community: NameSchema,
  charter: Type.String({ minLength: 1, maxLength: 8000, pattern: '^[^\\u0000]*$' }),
  displayName: DisplayName,
})
export type GroupCreate = Static<typeof GroupCreateSchema>
export const CharterUpdateSchema = Obj({ charter: GroupCreateSchema.properties.charter })
export const MemberAddSchema = Obj({
  principal: Principal,
  displayName: DisplayName,
  community: NameSchema,
  role: StringEnum(practiceRoles),
})
export type MemberAdd = Static<typeof MemberAddSchema>
export const MeetingCreateSchema = Obj({
  title: TitleSchema,
  heldOn: Day,
  notes: Type.Optional(TextSchema(20000)),
  decisions: Type.Optional(Type.Array(TextSchema(2000), { maxItems: 50 })),
})
export type MeetingCreate = Static<typeof MeetingCreateSchema>
export const MemberUpdateSchema = Obj({
  principal: Principal,
  role: Type.Optional(StringEnum(practiceRoles)),
  displayName: Type.Optional(DisplayName),
})
export type MemberUpdate = Static<typeof MemberUpdateSchema>
export const MemberRemoveQuerySchema = Obj({ principal: Principal })
export const MeetingUpdateSchema = Type.Object(
  {
    title: Type.Optional(TitleSchema),
    heldOn: Type.Optional(Day),
    notes: Type.Optional(TextSchema(20000)),
    decisions: Type.Optional(Type.Array(TextSchema(2000), { maxItems: 50 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type MeetingUpdate = Static<typeof MeetingUpdateSchema>
export const MeetingParamsSchema = Obj({ name: NameSchema, id: Type.String({ format: 'uuid' }) })

export const MembershipSchema = Obj({
  principal: Type.String(),
  displayName: Type.String(),
  community: Type.String(),
  role: StringEnum(practiceRoles),
  addedBy: Type.String(),
  addedAt: TimestampSchema,
  changedBy: Nullable(Type.String()),
  changedAt: Nullable(TimestampSchema),
})
export type Membership = Static<typeof MembershipSchema>
export const MeetingSchema = Obj({
  id: Type.String(),
  title: Type.String(),
  heldOn: Type.String(),
  notes: Type.String(),
  decisions: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(TimestampSchema),
})
export type Meeting = Static<typeof MeetingSchema>
export const CharterSchema = Obj({
  charter: Type.String(),
  adoptedBy: Type.String(),
  adoptedAt: TimestampSchema,
})
export const GroupSummarySchema = Obj({
  name: Type.String(),
  title: Type.String(),
  community: Type.String(),
  charter: Nullable(Type.String()),
  members: Type.Integer(),
  meetings: Type.Integer(),
  myRole: Nullable(StringEnum(practiceRoles)),
})
export type GroupSummary = Static<typeof GroupSummarySchema>
export const GroupDetailSchema = Obj({
  ...GroupSummarySchema.properties,
  charters: Type.Array(CharterSchema, { description: 'Every adopted charter, newest first.' }),
  memberships: Type.Array(MembershipSchema),
  meetingRecords: Type.Array(MeetingSchema),
})
export type GroupDetail = Static<typeof GroupDetailSchema>
export const GroupListSchema = Obj({ items: Type.Array(GroupSummarySchema) })

// Questionnaires, responses, results, reviews
export const QuestionSchema = Obj({
  id: QuestionId,
  text: Type.String({ minLength: 1, maxLength: 500, pattern: '^[^\\u0000]*$' }),
  kind: StringEnum(questionKinds),
  unit: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  choices: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 40 }),
  ),
  profilePath: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 80,
        description: 'Requirement-profile field (a `GET /landscape/survey` id) it can feed.',
      }),
    ),
  ),
})
export type Question = Static<typeof QuestionSchema>
const Questions = Type.Array(QuestionSchema, { minItems: 1, maxItems: 60 })
export const QuestionnaireCreateSchema = Obj({
  name: NameSchema,
  title: TitleSchema,
  workingGroup: NameSchema,
  questions: Questions,
})
export type QuestionnaireCreate = Static<typeof QuestionnaireCreateSchema>
export const QuestionnaireVersionCreateSchema = Obj({ questions: Questions })
const AnswerValue = Type.Union([
  Type.Number(),
  Type.Boolean(),
  Type.String({ maxLength: 2000 }),
  Type.Array(Type.String({ maxLength: 80 }), { maxItems: 40 }),
])
export type AnswerValue = Static<typeof AnswerValue>
export const ResponseSubmitSchema = Obj({
  answers: Type.Record(QuestionId, AnswerValue, { maxProperties: 60 }),
  community: Type.Optional(NameSchema),
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
})
export type ResponseSubmit = Static<typeof ResponseSubmitSchema>
export const ResponseSchema = Obj({
  questionnaire: Type.String(),
  version: Type.Integer(),
  respondent: Type.String(),
  community: Type.String(),
  answers: Type.Record(Type.String(), AnswerValue),
  submittedAt: TimestampSchema,
})
export type PracticeResponse = Static<typeof ResponseSchema>
export const QuestionnaireVersionSchema = Obj({
  version: Type.Integer(),
  questions: Type.Array(QuestionSchema),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
  responses: Type.Integer(),
})
export const ReviewSchema = Obj({
  id: Type.String(),
  questionnaire: Type.String(),
  version: Type.Integer(),
  useCase: Type.String(),
  community: Nullable(Type.String()),
  fields: Type.Record(Type.String(), Type.Unknown()),
  before: Type.Record(Type.String(), Type.Unknown()),
  responses: Type.Integer(),
  reviewer: Type.String(),
  acceptedAt: TimestampSchema,
})
export type Review = Static<typeof ReviewSchema>
export const QuestionnaireSchema = Obj({
  name: Type.String(),
  title: Type.String(),
  workingGroup: Type.String(),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
  latestVersion: Type.Integer(),
  versions: Type.Array(QuestionnaireVersionSchema),
  reviews: Type.Array(ReviewSchema),
})
export type Questionnaire = Static<typeof QuestionnaireSchema>
export const QuestionnaireListSchema = Obj({
  items: Type.Array(
    Obj({
      name: Type.String(),
      title: Type.String(),
      workingGroup: Type.String(),
      latestVersion: Type.Integer(),
      responses: Type.Integer(),
    }),
  ),
})

export const QuestionSummarySchema = Obj({
  id: Type.String(),
  text: Type.String(),
  kind: StringEnum(questionKinds),
  unit: Nullable(Type.String()),
  profilePath: Nullable(Type.String()),
  answered: Type.Integer(),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  mean: Type.Optional(Type.Number()),
  median: Type.Optional(Type.Number()),
  counts: Type.Optional(Type.Record(Type.String(), Type.Integer())),
})
export type QuestionSummary = Static<typeof QuestionSummarySchema>
const Slice = Obj({ responses: Type.Integer(), questions: Type.Array(QuestionSummarySchema) })
export const ResultsQuerySchema = Obj({
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  community: Type.Optional(NameSchema),
})
export const ResultsSchema = Obj({
  questionnaire: Type.String(),
  version: Type.Integer(),
  community: Nullable(Type.String()),
  ...Slice.properties,
  byCommunity: Type.Array(Obj({ community: Type.String(), ...Slice.properties })),
  overTime: Type.Array(
    Obj({ period: Type.String({ description: 'YYYY-MM' }), ...Slice.properties }),
  ),
  proposal: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'What the aggregate would set in a requirement profile (median, majority, mode, options chosen by at least half); nothing changes until a reviewer accepts.',
  }),
})
export type Results = Static<typeof ResultsSchema>
export const ReviewCreateSchema = Obj({
  useCase: NameSchema,
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  community: Type.Optional(NameSchema),
  fields: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { minItems: 1, maxItems: 60 })),
})
export type ReviewCreate = Static<typeof ReviewCreateSchema>

// Interviews and findings
export const FindingCreateSchema = Obj({
  name: NameSchema,
  workingGroup: NameSchema,
  statement: Type.String({ minLength: 1, maxLength: 2000, pattern: '^[^\\u0000]*$' }),
})
export type FindingCreate = Static<typeof FindingCreateSchema>
export const FindingStatusUpdateSchema = Obj({
  status: StringEnum(findingStatuses),
  note: Type.Optional(TextSchema(2000)),
})
export const InterviewCreateSchema = Obj({
  workingGroup: NameSchema,
  interviewee: DisplayName,
  protocol: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000]*$' }),
  heldOn: Day,
  summary: Type.Optional(TextSchema(20000)),
  findings: Type.Array(
    Obj({
      finding: NameSchema,
      stance: StringEnum(interviewStances),
      note: Type.Optional(TextSchema(2000)),
    }),
    { minItems: 1, maxItems: 50 },
  ),
})
export type InterviewCreate = Static<typeof InterviewCreateSchema>
export const InterviewSchema = Obj({
  id: Type.String(),
  workingGroup: Type.String(),
  interviewee: Type.String(),
  protocol: Type.String(),
  heldOn: Type.String(),
  summary: Type.String(),
  findings: Type.Array(
    Obj({ finding: Type.String(), stance: StringEnum(interviewStances), note: Type.String() }),
  ),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
})
export type Interview = Static<typeof InterviewSchema>
export const FindingSchema = Obj({
  name: Type.String(),
  workingGroup: Type.String(),
  statement: Type.String(),
  status: StringEnum(findingStatuses),
  statusNote: Type.String(),
  statusBy: Nullable(Type.String()),
  statusAt: Nullable(TimestampSchema),
  supports: Type.Integer(),
  contests: Type.Integer(),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
})
export type Finding = Static<typeof FindingSchema>
export const PracticeListQuerySchema = Obj({ group: Type.Optional(NameSchema), ...PageQuerySchema })
export type PracticeListQuery = Static<typeof PracticeListQuerySchema>
export const PageOnlyQuerySchema = Obj({ ...PageQuerySchema })

// Drafts under consultation
export const DraftCreateSchema = Obj({
  name: NameSchema,
  title: TitleSchema,
  workingGroup: NameSchema,
  body: Type.String({ minLength: 1, maxLength: 100000, pattern: '^[^\\u0000]*$' }),
})
export type DraftCreate = Static<typeof DraftCreateSchema>
export const DraftStatusUpdateSchema = Obj({
  status: StringEnum(['consultation', 'closed'] as const),
})
export const CommentCreateSchema = Obj({
  body: Type.String({ minLength: 1, maxLength: 8000, pattern: '^[^\\u0000]*$' }),
  parent: Type.Optional(Type.String({ format: 'uuid' })),
})
export type CommentCreate = Static<typeof CommentCreateSchema>
export const CommentResolveSchema = Obj({
  resolution: StringEnum(commentResolutions),
  note: Type.String({ minLength: 1, maxLength: 4000, pattern: '^[^\\u0000]*$' }),
})
export type CommentResolve = Static<typeof CommentResolveSchema>
export const CommentSchema = Obj({
  id: Type.String(),
  parent: Nullable(Type.String()),
  author: Type.String(),
  community: Nullable(Type.String()),
  body: Type.String(),
  status: StringEnum(commentStatuses),
  resolution: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(TimestampSchema),
  createdAt: TimestampSchema,
})
export type Comment = Static<typeof CommentSchema>
export const DraftSchema = Obj({
  name: Type.String(),
  title: Type.String(),
  workingGroup: Type.String(),
  body: Type.String(),
  status: StringEnum(draftStatuses),
  createdBy: Type.String(),
  createdAt: TimestampSchema,
  publishedAt: Nullable(TimestampSchema),
  closedAt: Nullable(TimestampSchema),
  comments: Type.Array(CommentSchema, { description: 'Oldest first; `parent` links replies.' }),
})
export type Draft = Static<typeof DraftSchema>

// Knowledge hub
export const HubQuerySchema = Obj({
  q: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000]*$' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})
export const hubKinds = [
  'document',
  'working-group',
  'meeting',
  'questionnaire',
  'finding',
  'interview',
  'draft',
  'comment',
] as const
export const HubHitSchema = Obj({
  kind: StringEnum(hubKinds),
  name: Type.String(),
  title: Type.String(),
  snippet: Type.String(),
  workingGroup: Nullable(Type.String()),
})
export type HubHit = Static<typeof HubHitSchema>
export const HubHitsSchema = Obj({ items: Type.Array(HubHitSchema) })
