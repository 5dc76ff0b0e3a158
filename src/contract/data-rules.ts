/** Wire contract of replication rules, locks, quotas and transfer requests. */
import { EndpointNameSchema, DidNameSchema, ScopeSchema } from './data.js'
import { IdSchema, Nullable, StringEnum, TimestampSchema, Type, type Static } from './common.js'
import { ruleGroupings, transferStates } from './closed-sets.js'

export { ruleGroupings, transferStates }

export const ruleStates = ['replicating', 'ok', 'stuck'] as const

const ExpressionSchema = Type.String({ minLength: 1, maxLength: 1000 })
const OwnerSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Account or community charged for the rule.',
})

export const RuleSchema = Type.Object(
  {
    id: IdSchema,
    scope: ScopeSchema,
    name: DidNameSchema,
    account: OwnerSchema,
    copies: Type.Integer(),
    expression: Type.String(),
    sourceExpression: Nullable(Type.String()),
    grouping: StringEnum(ruleGroupings),
    weight: Nullable(Type.String()),
    activity: Type.String(),
    priority: Type.Integer(),
    comment: Type.String(),
    state: StringEnum(ruleStates),
    locksOk: Type.Integer(),
    locksReplicating: Type.Integer(),
    locksStuck: Type.Integer(),
    expiresAt: Nullable(TimestampSchema),
    community: Nullable(
      Type.String({
        description: "The community of the identifier's scope: who may see the rule.",
      }),
    ),
    createdBy: Nullable(
      Type.String({ description: 'Principal (issuer#subject) that created it.' }),
    ),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Rule = Static<typeof RuleSchema>

export const RuleCreateSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    copies: Type.Integer({ minimum: 1, maximum: 100 }),
    expression: ExpressionSchema,
    account: Type.Optional(OwnerSchema),
    lifetimeSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100 * 365 * 86400,
        description: 'The rule expires this long after creation.',
      }),
    ),
    grouping: Type.Optional(
      StringEnum(ruleGroupings, {
        description: 'all: every file on the same endpoints; dataset: per dataset; none: per file.',
      }),
    ),
    weight: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$',
        description: 'Numeric endpoint attribute preferred when choosing.',
      }),
    ),
    sourceExpression: Type.Optional(ExpressionSchema),
    activity: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    priority: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 5,
        description: 'Order of its transfers within their queue (5 first; default 3).',
      }),
    ),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
)
export type RuleCreate = Static<typeof RuleCreateSchema>

export const RuleListQuerySchema = Type.Object(
  {
    scope: Type.Optional(ScopeSchema),
    name: Type.Optional(DidNameSchema),
    account: Type.Optional(OwnerSchema),
    state: Type.Optional(StringEnum(ruleStates)),
  },
  { additionalProperties: false },
)
export type RuleListQuery = Static<typeof RuleListQuerySchema>
export const RuleListSchema = Type.Object(
  { items: Type.Array(RuleSchema) },
  { additionalProperties: false },
)
export const RuleParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })

export const LockSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    endpoint: EndpointNameSchema,
    state: StringEnum(ruleStates),
    bytes: Type.Integer(),
    reason: Nullable(Type.String({ description: 'Why the file is stuck (last transfer error).' })),
  },
  { additionalProperties: false },
)
export type Lock = Static<typeof LockSchema>
export const LockListSchema = Type.Object(
  { items: Type.Array(LockSchema) },
  { additionalProperties: false },
)

export const QuotaSchema = Type.Object(
  {
    owner: OwnerSchema,
    endpoint: Type.Optional(EndpointNameSchema),
    expression: Type.Optional(ExpressionSchema),
    endpoints: Type.Optional(
      Type.Array(EndpointNameSchema, {
        description: 'For a quota on an expression: the endpoints it covers now.',
      }),
    ),
    bytes: Type.Integer(),
    usedBytes: Type.Integer({
      description: 'Bytes locked: on the endpoint, or on all the expression covers together.',
    }),
  },
  { additionalProperties: false },
)
export type Quota = Static<typeof QuotaSchema>
export const QuotaSetSchema = Type.Object(
  {
    owner: OwnerSchema,
    endpoint: Type.Optional(EndpointNameSchema),
    expression: Type.Optional({
      ...ExpressionSchema,
      description:
        'An endpoint expression (`country=DE`): the quota bounds what the owner locks on all the endpoints it covers, together. Give this or endpoint.',
    }),
    bytes: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
)
export type QuotaSet = Static<typeof QuotaSetSchema>
export const QuotaListSchema = Type.Object(
  { items: Type.Array(QuotaSchema) },
  { additionalProperties: false },
)

export const BadReplicaSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    endpoint: EndpointNameSchema,
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
)
export type BadReplica = Static<typeof BadReplicaSchema>

export const TransferSchema = Type.Object(
  {
    id: IdSchema,
    scope: ScopeSchema,
    name: DidNameSchema,
    endpoint: EndpointNameSchema,
    state: StringEnum(transferStates),
    activity: Type.String(),
    community: Type.String({ description: 'Account of the rule that queued it (fair share).' }),
    priority: Type.Integer({ minimum: 1, maximum: 5 }),
    source: Nullable(
      Type.String({
        description: 'Source endpoint of the next (or last) attempt; null if none yet.',
      }),
    ),
    bytes: Type.Integer(),
    attempts: Type.Integer(),
    lastError: Nullable(Type.String()),
    failureClass: Nullable(Type.String({ description: 'Class of the last failure.' })),
    notBefore: TimestampSchema,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Transfer = Static<typeof TransferSchema>
export const TransferListSchema = Type.Object(
  { items: Type.Array(TransferSchema) },
  { additionalProperties: false },
)
