/**
 * Wire contract of the landscape's Plan face: use cases with typed requirement profiles (D5.1),
 * the requirements survey, knowledge-hub documents (D3.1), and the results of matching, gap
 * analysis and reports (D5.1 × D5.2 × D5.3). Every requirement is a number with its unit in
 * the field name, a flag, or a closed set — never free text — so it can be matched.
 */
import {
  DescriptionSchema,
  IdSchema,
  NameSchema,
  Nullable,
  StringEnum,
  TimestampSchema,
  noNul,
  TitleSchema,
  Type,
  UrlSchema,
  type Static,
} from './common.js'
import {
  accessRoutes,
  batchSystems,
  containerRuntimes,
  storageProtocols,
} from './catalog-services.js'

const Num = (description: string, maximum = 1e15) =>
  Nullable(Type.Number({ minimum: 0, maximum, description }))
const Share = (description: string) =>
  Nullable(Type.Number({ minimum: 0, maximum: 1, description }))
const Opt = <T extends Parameters<typeof Type.Optional>[0]>(s: T) => Type.Optional(s)

export const workflowKinds = [
  'production',
  'analysis',
  'calibration-imaging',
  'streaming',
  'simulation',
  'ml-training',
] as const
export const allocationModels = ['multi-year', 'per-call', 'opportunistic', 'pledged'] as const
export type AllocationModel = (typeof allocationModels)[number]
export const useCaseStatuses = ['draft', 'surveyed', 'reviewed'] as const

export const ComputeRequirementsSchema = Type.Object(
  {
    coreHoursPerYear: Opt(Num('CPU core-hours a year.')),
    growthPerYear: Opt(
      Nullable(
        Type.Number({
          minimum: 0,
          maximum: 10,
          description:
            'Expected yearly growth of the compute need (0.2 = +20 % a year); used for 1-, 3- and 5-year projections, not matched.',
        }),
      ),
    ),
    peakCores: Opt(Num('Cores needed at the same time.')),
    memoryPerCoreGB: Opt(Num('Memory per core (GB).', 10_000)),
    acceleratorModels: Opt(
      Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
        maxItems: 10,
        description:
          'Acceptable accelerator models (e.g. "NVIDIA A100", "NVIDIA H100"); any listed will do.',
      }),
    ),
    acceleratorCount: Opt(Num('Accelerators needed at the same time.')),
    walltimeHours: Opt(Num('Longest single job (hours).', 1e6)),
    interactiveShare: Opt(Share('Share of the work that is interactive (0–1).')),
    batchSystems: Opt(
      Type.Array(StringEnum(batchSystems), {
        uniqueItems: true,
        maxItems: 6,
        description: 'Batch systems the workload management can drive; empty = any.',
      }),
    ),
  },
  { additionalProperties: false },
)

export const DataRequirementsSchema = Type.Object(
  {
    storedPB: Opt(Num('Volume kept (PB).')),
    growthPBPerYear: Opt(Num('Growth (PB a year).')),
    ingestGbps: Opt(Num('Sustained ingest rate (Gb/s).')),
    egressGbps: Opt(Num('Sustained egress rate (Gb/s).')),
    diskShare: Opt(Share('Share kept on disk (0–1); the rest on tape.')),
    protocols: Opt(
      Type.Array(StringEnum(storageProtocols), {
        uniqueItems: true,
        maxItems: 5,
        description: 'Protocols the community tools speak; any listed will do.',
      }),
    ),
    files: Opt(Num('Number of files.')),
  },
  { additionalProperties: false },
)

export const SoftwareRequirementsSchema = Type.Object(
  {
    containers: Opt(Type.Boolean({ description: 'Jobs run in containers.' })),
    containerRuntimes: Opt(
      Type.Array(StringEnum(containerRuntimes), {
        uniqueItems: true,
        maxItems: 7,
        description: 'Acceptable runtimes; any listed will do.',
      }),
    ),
    cvmfsRepositories: Opt(
      Type.Array(Type.String({ pattern: '^/cvmfs/[a-z0-9._-]+$' }), {
        uniqueItems: true,
        maxItems: 20,
      }),
    ),
  },
  { additionalProperties: false },
)

export const WorkflowRequirementsSchema = Type.Object(
  {
    kinds: Opt(Type.Array(StringEnum(workflowKinds), { uniqueItems: true, maxItems: 6 })),
    unattendedLongRunning: Opt(
      Type.Boolean({
        description: 'Runs for weeks or months without a person at the keyboard (pilots, robots).',
      }),
    ),
  },
  { additionalProperties: false },
)

export const AccessRequirementsSchema = Type.Object(
  {
    allocationModel: Opt(
      Nullable(StringEnum(allocationModels, { description: allocationModels.join(' | ') })),
    ),
    crossInfrastructure: Opt(
      Type.Boolean({ description: 'One allocation must be usable across infrastructures.' }),
    ),
    acceptableRoutes: Opt(
      Type.Array(StringEnum(accessRoutes), {
        uniqueItems: true,
        maxItems: 6,
        description: 'Access routes the community can use; empty = any.',
      }),
    ),
    aai: Opt(
      Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,40}$' }), {
        uniqueItems: true,
        maxItems: 10,
        description: 'Identity providers the community members have; any listed will do.',
      }),
    ),
    tokens: Opt(Type.Boolean({ description: 'Needs WLCG/OIDC token-based access.' })),
  },
  { additionalProperties: false },
)

export const ConstraintsSchema = Type.Object(
  {
    networkGbps: Opt(Num('Wide-area bandwidth needed between sites (Gb/s).')),
    maxCarbonGPerKWh: Opt(Num('Highest acceptable grid carbon intensity (gCO2e/kWh).', 2000)),
    maxPue: Opt(Num('Highest acceptable PUE.', 5)),
  },
  { additionalProperties: false },
)

/** A use case's requirements, by Blueprint area. Absent fields are not required. */
export const RequirementProfileSchema = Type.Object(
  {
    compute: Opt(ComputeRequirementsSchema),
    data: Opt(DataRequirementsSchema),
    software: Opt(SoftwareRequirementsSchema),
    workflow: Opt(WorkflowRequirementsSchema),
    access: Opt(AccessRequirementsSchema),
    constraints: Opt(ConstraintsSchema),
  },
  { additionalProperties: false },
)
export type RequirementProfile = Static<typeof RequirementProfileSchema>

const useCaseFields = {
  title: TitleSchema,
  community: Type.String({ ...NameSchema, description: 'Name of the owning community.' }),
}
const useCaseOptional = {
  field: Nullable(Type.String({ maxLength: 100 })),
  status: StringEnum(useCaseStatuses),
  profile: RequirementProfileSchema,
  description: DescriptionSchema,
  source: Nullable(Type.String({ ...UrlSchema })),
  citation: Nullable(
    Type.String({
      maxLength: 1000,
      pattern: noNul,
      description:
        'Where the figures come from, specifically: deliverable, section or table, page or URL.',
    }),
  ),
  estimates: Nullable(
    Type.String({
      maxLength: 2000,
      pattern: noNul,
      description: 'Which figures are estimates (not in the source) and why they were chosen.',
    }),
  ),
  reviewer: Nullable(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: noNul,
      description:
        'Who reviewed the record (a person or a role); required when status is reviewed.',
    }),
  ),
  reviewedAt: Nullable(
    Type.String({ format: 'date', description: 'When it was reviewed; required when reviewed.' }),
  ),
}
export const UseCaseCreateSchema = Type.Object(
  {
    name: NameSchema,
    ...useCaseFields,
    ...Object.fromEntries(Object.entries(useCaseOptional).map(([k, v]) => [k, Type.Optional(v)])),
  } as typeof useCaseFields & { name: typeof NameSchema } & {
    [K in keyof typeof useCaseOptional]: ReturnType<
      typeof Type.Optional<(typeof useCaseOptional)[K]>
    >
  },
  { additionalProperties: false },
)
export const UseCaseSchema = Type.Object(
  {
    id: IdSchema,
    name: NameSchema,
    ...useCaseFields,
    ...useCaseOptional,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export const UseCaseUpdateSchema = Object.assign(
  Type.Partial(Type.Object({ ...useCaseFields, ...useCaseOptional })),
  { additionalProperties: false, minProperties: 1 },
)
export type UseCase = Static<typeof UseCaseSchema>
export type UseCaseCreate = Static<typeof UseCaseCreateSchema>
export const UseCase = {
  create: UseCaseCreateSchema,
  record: UseCaseSchema,
  update: UseCaseUpdateSchema,
}

const docLinks = Type.Object(
  {
    useCases: Type.Array(NameSchema, { maxItems: 100, uniqueItems: true }),
    infrastructures: Type.Array(NameSchema, { maxItems: 100, uniqueItems: true }),
    gaps: Type.Array(Type.String({ pattern: '^[a-z]+\\.[a-zA-Z]+$' }), {
      maxItems: 100,
      uniqueItems: true,
      description: 'Requirement keys of gaps, e.g. compute.walltimeHours.',
    }),
  },
  { additionalProperties: false },
)
const docFields = { title: TitleSchema }
const docOptional = {
  url: Nullable(UrlSchema),
  text: Type.String({ maxLength: 200_000, description: 'Uploaded text (Markdown or plain).' }),
  tags: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }), {
    maxItems: 30,
    uniqueItems: true,
  }),
  links: docLinks,
  source: Nullable(UrlSchema),
}
export const DocumentCreateSchema = Type.Object(
  {
    name: NameSchema,
    ...docFields,
    ...Object.fromEntries(Object.entries(docOptional).map(([k, v]) => [k, Type.Optional(v)])),
  } as typeof docFields & { name: typeof NameSchema } & {
    [K in keyof typeof docOptional]: ReturnType<typeof Type.Optional<(typeof docOptional)[K]>>
  },
  { additionalProperties: false },
)
export const DocumentSchema = Type.Object(
  {
    id: IdSchema,
    name: NameSchema,
    ...docFields,
    ...docOptional,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export const DocumentUpdateSchema = Object.assign(
  Type.Partial(Type.Object({ ...docFields, ...docOptional })),
  { additionalProperties: false, minProperties: 1 },
)
export type KnowledgeDocument = Static<typeof DocumentSchema>
export const KnowledgeDocument = {
  create: DocumentCreateSchema,
  record: DocumentSchema,
  update: DocumentUpdateSchema,
}

export const DocumentSearchQuerySchema = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Words to find (web-search syntax: "quoted phrase", -not, or).',
    }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)
export const DocumentHitSchema = Type.Object(
  {
    name: NameSchema,
    title: TitleSchema,
    url: Nullable(UrlSchema),
    tags: Type.Array(Type.String()),
    rank: Type.Number(),
    snippet: Type.String(),
  },
  { additionalProperties: false },
)
export const DocumentHitsSchema = Type.Object(
  { items: Type.Array(DocumentHitSchema) },
  { additionalProperties: false },
)
export type DocumentHit = Static<typeof DocumentHitSchema>

// ----- requirements survey -----------------------------------------------------------------

export const SurveyQuestionSchema = Type.Object(
  {
    id: Type.String(),
    area: Type.String(),
    text: Type.String(),
    answer: StringEnum(['number', 'share', 'boolean', 'choice', 'choices', 'list'] as const),
    unit: Nullable(Type.String()),
    choices: Type.Array(Type.String()),
    profilePath: Type.String({ description: 'Where the answer lands in the requirement profile.' }),
  },
  { additionalProperties: false },
)
export type SurveyQuestion = Static<typeof SurveyQuestionSchema>
export const SurveySchema = Type.Object(
  { questions: Type.Array(SurveyQuestionSchema) },
  { additionalProperties: false },
)
export const SurveyAnswersSchema = Type.Object(
  {
    answers: Type.Record(
      Type.String({ pattern: '^[a-z][a-zA-Z0-9.]{0,80}$' }),
      Type.Union([
        Type.Number(),
        Type.Boolean(),
        Type.String({ maxLength: 200 }),
        Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 }),
        Type.Null(),
      ]),
      { maxProperties: 100 },
    ),
  },
  { additionalProperties: false },
)
export type SurveyAnswers = Static<typeof SurveyAnswersSchema>
