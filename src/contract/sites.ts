/**
 * Wire contract of sites: catalogue compute services bound to executors (local, Slurm or an ARC
 * CE), and
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

export const computeSiteExecutors = ['local', 'slurm', 'arc'] as const
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
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
        description: 'The Slurm partition, or the ARC CE queue',
      }),
    ),
    binDir: Type.Optional(AbsolutePathSchema),
    slurmConf: Type.Optional(AbsolutePathSchema),
    endpoint: Type.Optional(
      Type.String({
        maxLength: 512,
        pattern: '^https://[A-Za-z0-9.\\[\\]:-]+(/[A-Za-z0-9._~/-]*)?$',
        description: "An ARC CE's REST base, e.g. https://ce.example.org:443/arex",
      }),
    ),
    caFile: Type.Optional(AbsolutePathSchema),
    certFile: Type.Optional(AbsolutePathSchema),
    keyFile: Type.Optional(AbsolutePathSchema),
    tokenFile: Type.Optional(AbsolutePathSchema),
    images: Type.Optional({
      ...AbsolutePathSchema,
      description:
        "A local site's image store: a folder of OCI image layouts (<name>/) or archives (<name>.tar) that tasks' images are taken from (nothing is pulled)",
    }),
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
    batchSystem: Type.Optional(
      Type.String({ description: 'The batch system behind a CE, as the CE reports it' }),
    ),
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
    images: Nullable(Type.String({ description: "A local site's image store" })),
    slurmConf: Nullable(Type.String()),
    endpoint: Nullable(Type.String({ description: "The ARC CE's REST base" })),
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

// ---- plan → run: where a use case's workflow would run, next to the landscape's match -----

export const UseCasePlanRequestSchema = Type.Object(
  {
    source: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1_000_000,
        description:
          'A workflow YAML to plan; default: the shipped example naming the use case, else a probe task from its requirement profile',
      }),
    ),
    filename: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
)
export type UseCasePlanRequest = Static<typeof UseCasePlanRequestSchema>

const PlanReasonSchema = Type.Object(
  { requirement: Type.String(), verdict: Type.String(), reason: Type.String() },
  { additionalProperties: false },
)

export const PlannedTaskSchema = Type.Object(
  {
    task: Type.String(),
    wave: Type.Integer({
      description: 'Tasks of one wave are ready together; later waves wait for earlier ones',
    }),
    site: Nullable(Type.String()),
    service: Nullable(Type.String()),
    summary: Type.String(),
    placement: Type.Array(
      Type.Object(
        {
          site: Type.String(),
          eligible: Type.Boolean(),
          score: Nullable(Type.Number()),
          reasons: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    match: Nullable(
      Type.Object(
        { verdict: Type.String(), score: Type.Number(), reasons: Type.Array(PlanReasonSchema) },
        {
          additionalProperties: false,
          description: "The landscape match's evaluation of the chosen service",
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const UseCasePlanSchema = Type.Object(
  {
    useCase: Type.String(),
    community: Nullable(Type.String()),
    verdict: Type.String({ description: "The landscape match's overall verdict" }),
    workflow: Type.Object(
      {
        name: Type.String(),
        from: StringEnum(['given', 'example', 'probe'] as const),
        file: Nullable(Type.String()),
      },
      { additionalProperties: false },
    ),
    tasks: Type.Array(PlannedTaskSchema),
    services: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          infrastructure: Type.String(),
          verdict: Type.String(),
          score: Type.Number(),
          site: Nullable(Type.String({ description: 'The compute site bound to it, if any' })),
          state: Nullable(StringEnum(computeSiteStates)),
        },
        { additionalProperties: false },
      ),
      {
        description:
          'Compute services as the match rates them, with their bindings (the broker’s candidates)',
      },
    ),
  },
  { additionalProperties: false },
)
export type UseCasePlan = Static<typeof UseCasePlanSchema>
export const UseCaseParamsSchema = Type.Object(
  { name: IdOrNameSchema },
  { additionalProperties: false },
)
