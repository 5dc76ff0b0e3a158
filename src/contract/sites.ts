/**
 * Wire contract of sites: catalogue compute services bound to executors (local or Slurm), and
 * catalogue storage services bound to the data federation's endpoints.
 */
import {
  IdOrNameSchema,
  NameSchema,
  Nullable,
  StringEnum,
  TimestampSchema,
  Type,
  type Static,
} from './common.js'

export const computeSiteExecutors = ['local', 'slurm'] as const
export const computeSiteStates = ['active', 'draining'] as const
export type ComputeSiteState = (typeof computeSiteStates)[number]

const AbsolutePathSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  // Absolute, without `..` segments, NUL or newlines.
  pattern: '^/(?!.*(^|/)\\.\\.(/|$))[^\\u0000\\n\\r]*$',
  description: 'An absolute path on the server (no `..` segments).',
})
const EndpointNameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
})
const AccountSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'A batch-system account (Slurm --account) or Unix account name.',
})
const EnvironmentNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9/][A-Za-z0-9_./-]*$',
  description:
    'A catalogue software environment name, or a CVMFS path such as /cvmfs/atlas.cern.ch',
})
const AttributeValue = Type.Union([
  Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_.:-]*$' }),
  Type.Number(),
  Type.Boolean(),
])

export const ComputeSiteCreateSchema = Type.Object(
  {
    name: Type.Optional(NameSchema),
    service: IdOrNameSchema,
    executor: StringEnum(computeSiteExecutors),
    root: Type.Optional(AbsolutePathSchema),
    partition: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    ),
    binDir: Type.Optional(AbsolutePathSchema),
    slurmConf: Type.Optional(AbsolutePathSchema),
    accounts: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }), AccountSchema, {
        maxProperties: 200,
        additionalProperties: false,
      }),
    ),
    maxTasks: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    maxWalltimeS: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000 })),
    nearEndpoints: Type.Optional(Type.Array(EndpointNameSchema, { maxItems: 100 })),
    links: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$' }),
        Type.Number({ exclusiveMinimum: 0, maximum: 100000 }),
        { maxProperties: 100, additionalProperties: false },
      ),
    ),
    environments: Type.Optional(Type.Array(EnvironmentNameSchema, { maxItems: 200 })),
    attributes: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' }), AttributeValue, {
        maxProperties: 50,
        additionalProperties: false,
      }),
    ),
    replace: Type.Optional(
      Type.Boolean({ description: 'Replace an existing binding of that name (re-validated)' }),
    ),
  },
  { additionalProperties: false },
)
export type ComputeSiteCreate = Static<typeof ComputeSiteCreateSchema>

export const ComputeSitePartitionSchema = Type.Object(
  {
    name: Type.String(),
    state: Type.String(),
    nodes: Type.Integer(),
    cpus: Type.Integer(),
    maxTimeS: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
)

export const ComputeSiteOffersSchema = Type.Object(
  {
    cores: Type.Integer(),
    memoryMb: Type.Integer(),
    partitions: Type.Array(ComputeSitePartitionSchema),
    environments: Type.Array(Type.String(), {
      description: 'Software environments found on the site when it was checked',
    }),
    containerRuntimes: Type.Array(Type.String()),
    checkedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type ComputeSiteOffers = Static<typeof ComputeSiteOffersSchema>

export const ComputeSiteSchema = Type.Object(
  {
    name: Type.String(),
    service: Nullable(Type.String()),
    infrastructure: Nullable(Type.String()),
    catalogueSite: Nullable(Type.String()),
    executor: StringEnum(computeSiteExecutors),
    state: StringEnum(computeSiteStates),
    root: Nullable(Type.String()),
    partition: Nullable(Type.String()),
    binDir: Nullable(Type.String()),
    slurmConf: Nullable(Type.String()),
    accounts: Type.Record(Type.String(), Type.String()),
    maxTasks: Nullable(Type.Integer()),
    maxWalltimeS: Nullable(Type.Integer()),
    nearEndpoints: Type.Array(Type.String()),
    links: Type.Record(Type.String(), Type.Number()),
    environments: Type.Array(Type.String(), {
      description:
        'What the broker checks a task’s environment against: declared, found, and listed in the catalogue',
    }),
    declaredEnvironments: Type.Array(Type.String()),
    offers: Nullable(ComputeSiteOffersSchema),
    attributes: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
    ),
    activeTasks: Type.Integer({ description: 'Tasks placed here and not finished' }),
    createdBy: Nullable(Type.String()),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type ComputeSite = Static<typeof ComputeSiteSchema>

export const ComputeSiteListSchema = Type.Object(
  { items: Type.Array(ComputeSiteSchema) },
  { additionalProperties: false },
)
export const ComputeSiteParamsSchema = Type.Object(
  { name: NameSchema },
  { additionalProperties: false },
)

export const StorageBindingCreateSchema = Type.Object(
  { endpoints: Type.Array(EndpointNameSchema, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
)
export type StorageBindingCreate = Static<typeof StorageBindingCreateSchema>

export const StorageBindingSchema = Type.Object(
  {
    service: Type.String(),
    infrastructure: Type.String(),
    catalogueSite: Nullable(Type.String()),
    endpoints: Type.Array(Type.String()),
  },
  { additionalProperties: false },
)
export type StorageBinding = Static<typeof StorageBindingSchema>
export const StorageBindingListSchema = Type.Object(
  { items: Type.Array(StorageBindingSchema) },
  { additionalProperties: false },
)
export const StorageBindingParamsSchema = Type.Object(
  { service: IdOrNameSchema },
  { additionalProperties: false },
)
