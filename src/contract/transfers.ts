/** Wire contract of the transfer scheduler: attempt history, events, link statistics, shares. */
import { TransferSchema } from './data-rules.js'
import { Nullable, StringEnum, TimestampSchema, Type, type Static } from './common.js'
import { shareKinds } from './closed-sets.js'

export { shareKinds }

/** Why an attempt failed; see docs/transfers.md for the retry policy of each class. */
export const failureClasses = [
  'source_missing',
  'no_source',
  'checksum_mismatch',
  'destination_full',
  'permission',
  'timeout',
  'network',
  'storage_error',
  'no_route',
  'internal',
] as const
export type FailureClass = (typeof failureClasses)[number]

export const TransferAttemptSchema = Type.Object(
  {
    attempt: Type.Integer(),
    source: Nullable(Type.String()),
    startedAt: TimestampSchema,
    finishedAt: TimestampSchema,
    durationMs: Type.Integer(),
    bytes: Type.Integer(),
    outcome: StringEnum(['done', 'failed'] as const),
    failureClass: Nullable(StringEnum(failureClasses)),
    message: Nullable(Type.String()),
    via: Type.Array(Type.String(), {
      description: 'Intermediate endpoints of a multi-hop attempt, in order; empty when direct.',
    }),
  },
  { additionalProperties: false },
)
export type TransferAttempt = Static<typeof TransferAttemptSchema>

export const TransferEventSchema = Type.Object(
  {
    at: TimestampSchema,
    from: Nullable(Type.String()),
    to: Type.String(),
    reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
)
export type TransferEvent = Static<typeof TransferEventSchema>

export const TransferDetailSchema = Type.Object(
  {
    ...TransferSchema.properties,
    history: Type.Array(TransferAttemptSchema, { description: 'Every finished attempt.' }),
    events: Type.Array(TransferEventSchema, { description: 'Every state change, oldest first.' }),
  },
  { additionalProperties: false },
)
export type TransferDetail = Static<typeof TransferDetailSchema>

export const TransferLinkStatsSchema = Type.Object(
  {
    source: Type.String({ description: "Source endpoint name; '*' for requests without one yet." }),
    destination: Type.String(),
    active: Type.Integer(),
    queued: Type.Integer(),
    activeLimit: Type.Integer({
      description: "The optimiser's current limit of active transfers.",
    }),
    maxActive: Type.Integer({ description: 'The configured ceiling of the limit.' }),
    done: Type.Integer({ description: 'Attempts that succeeded in the statistics window.' }),
    failed: Type.Integer({ description: 'Attempts that failed in the statistics window.' }),
    successRate: Nullable(Type.Number()),
    throughputBps: Type.Number({ description: 'Bytes per second over the statistics window.' }),
    lastDecision: Nullable(Type.String()),
    evaluatedAt: Nullable(TimestampSchema),
    closed: Type.Boolean({
      description: 'No direct route: requests on this link go through multihop endpoints.',
    }),
  },
  { additionalProperties: false },
)
export type TransferLinkStats = Static<typeof TransferLinkStatsSchema>
export const TransferStatsSchema = Type.Object(
  {
    windowSeconds: Type.Integer(),
    links: Type.Array(TransferLinkStatsSchema),
  },
  { additionalProperties: false },
)
export type TransferStats = Static<typeof TransferStatsSchema>

export const TransferLinkUpdateSchema = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 100, description: "Endpoint name or '*'." }),
    destination: Type.String({ minLength: 1, maxLength: 100 }),
    maxActive: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    closed: Type.Optional(
      Type.Boolean({
        description: 'Close the link (no direct route: multi-hop) or open it again.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type TransferLinkUpdate = Static<typeof TransferLinkUpdateSchema>

export const TransferShareSchema = Type.Object(
  {
    kind: StringEnum(shareKinds),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 1000000 }),
  },
  { additionalProperties: false },
)
export type TransferShare = Static<typeof TransferShareSchema>
export const TransferShareListSchema = Type.Object(
  { items: Type.Array(TransferShareSchema) },
  { additionalProperties: false },
)
