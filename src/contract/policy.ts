/** Wire schemas of the policy domain: stored Cedar policies, decisions, and the audit log. */
import {
  NameSchema,
  Nullable,
  PageQuerySchema,
  PageSchema,
  StringEnum,
  TimestampSchema,
  Type,
  type Static,
} from './common.js'

const PolicyNameSchema = Type.String({
  minLength: 1,
  maxLength: 120,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  description: 'Lower-case policy name; letters, digits, ., _ and -.',
})

export const PolicySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    version: Type.Integer(),
    body: Type.String({ description: 'Cedar policy text: one or more statements.' }),
    description: Type.String(),
    source: StringEnum(['builtin', 'api', 'access-policy'] as const),
    deleted: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Policy = Static<typeof PolicySchema>

export const PolicyDetailSchema = Type.Object(
  { ...PolicySchema.properties, versions: Type.Array(PolicySchema) },
  { additionalProperties: false },
)
export type PolicyDetail = Static<typeof PolicyDetailSchema>

export const PolicyListSchema = Type.Object(
  { items: Type.Array(PolicySchema) },
  { additionalProperties: false },
)

export const PolicyCreateSchema = Type.Object(
  {
    name: PolicyNameSchema,
    body: Type.String({ minLength: 1, maxLength: 65536 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
export type PolicyCreate = Static<typeof PolicyCreateSchema>

export const PolicyNameParamsSchema = Type.Object({ name: PolicyNameSchema })

const AttrsSchema = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), {
  maxProperties: 32,
})

export const PolicyTestRequestSchema = Type.Object(
  {
    principal: Type.Object(
      {
        subject: Type.String({ minLength: 1, maxLength: 255 }),
        issuer: Type.Optional(Type.String({ maxLength: 2048 })),
        groups: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 256 })),
        communities: Type.Optional(Type.Array(NameSchema, { maxItems: 256 })),
        scope: Type.Optional(
          Type.String({
            maxLength: 8192,
            description: 'The token scope claim, e.g. "storage.read:/atlas".',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    action: Type.String({ minLength: 1, maxLength: 200 }),
    resource: Type.Object(
      {
        type: Type.String({ maxLength: 64 }),
        id: Type.String({ minLength: 1, maxLength: 1024 }),
        attrs: Type.Optional(AttrsSchema),
      },
      { additionalProperties: false },
    ),
    context: Type.Optional(
      Type.Object(
        { interactive: Type.Optional(Type.Boolean()), unattended: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    policies: Type.Optional(
      Type.Array(
        Type.Object(
          { name: PolicyNameSchema, body: Type.String({ minLength: 1, maxLength: 65536 }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 2000,
          description: 'Draft policy set to test instead of the stored one.',
        },
      ),
    ),
  },
  { additionalProperties: false },
)
export type PolicyTestRequest = Static<typeof PolicyTestRequestSchema>

export const DecisionSchema = StringEnum(['allow', 'deny'] as const)

export const PolicyTestResultSchema = Type.Object(
  {
    decision: DecisionSchema,
    policies: Type.Array(Type.String(), {
      description: 'The policies that determined the decision.',
    }),
    errors: Type.Array(Type.String()),
    identity: Type.Object({
      groups: Type.Array(Type.String()),
      communities: Type.Array(Type.String()),
      capabilityToken: Type.Boolean(),
      scopeGrants: Type.Boolean(),
    }),
  },
  { additionalProperties: false },
)
export type PolicyTestResult = Static<typeof PolicyTestResultSchema>

export const CedarSchemaSchema = Type.Object({
  schema: Type.Record(Type.String(), Type.Unknown()),
  actions: Type.Array(Type.String()),
})

export const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    at: TimestampSchema,
    requestId: Type.String(),
    principal: Nullable(Type.String()),
    action: Type.String(),
    resource: Type.String(),
    decision: StringEnum(['allow', 'deny', 'unauthenticated'] as const),
    policies: Type.Array(Type.String()),
    reason: Type.String(),
    method: Type.String(),
    path: Type.String(),
    /** How many identical allowed decisions this entry stands for (denials are always 1). */
    count: Type.Integer({ minimum: 1 }),
    /** When the last of `count` identical decisions was taken (null when count is 1). */
    lastAt: Nullable(TimestampSchema),
  },
  { additionalProperties: false },
)
export type AuditEntry = Static<typeof AuditEntrySchema>

export const AuditPageSchema = PageSchema(AuditEntrySchema)

export const AuditQuerySchema = Type.Object(
  {
    principal: Type.Optional(Type.String({ maxLength: 2400 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    decision: Type.Optional(StringEnum(['allow', 'deny', 'unauthenticated'] as const)),
    since: Type.Optional(TimestampSchema),
    until: Type.Optional(TimestampSchema),
    ...PageQuerySchema,
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuerySchema>

export const AccessSyncResultSchema = Type.Object(
  {
    compiled: Type.Array(
      Type.Object({ accessPolicy: Type.String(), policies: Type.Array(Type.String()) }),
    ),
    skipped: Type.Array(Type.Object({ accessPolicy: Type.String(), reason: Type.String() })),
  },
  { additionalProperties: false },
)
export type AccessSyncResult = Static<typeof AccessSyncResultSchema>
