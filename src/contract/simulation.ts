/**
 * What-if simulation: the scenario file (YAML, checked against ScenarioSchema) and the report
 * the simulator returns. Figures are non-negative; sources are cited per scenario and per figure.
 */
import { NameSchema, Nullable, StringEnum, TimestampSchema, Type, type Static } from './common.js'

const nonNegative = (description: string, maximum = 1e12) =>
  Type.Number({ minimum: 0, maximum, description })
const SiteRefSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
})
const SourceNoteSchema = Type.Optional(Type.String({ maxLength: 1000 }))
const AttributesSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' }),
  Type.Union([Type.String({ maxLength: 100 }), Type.Number(), Type.Boolean()]),
  { maxProperties: 50 },
)

export const ScenarioSiteSchema = Type.Object(
  {
    name: SiteRefSchema,
    /** Take capacities, cores and country from this site of the shipped landscape. */
    landscape: Type.Optional(NameSchema),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    diskTB: Type.Optional(nonNegative('Disk capacity, TB.')),
    tapeTB: Type.Optional(nonNegative('Tape capacity, TB.')),
    usedTB: Type.Optional(nonNegative('Disk already used at the start, TB.')),
    cores: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e8 })),
    wattsPerCore: Type.Optional(nonNegative('Power per busy core, W.', 1000)),
    gCo2PerKwh: Type.Optional(nonNegative('Grid carbon intensity.', 5000)),
    wanGbps: Type.Optional(
      nonNegative("The site's wide-area network: every link in or out shares it, Gb/s.", 1e6),
    ),
    attributes: Type.Optional(AttributesSchema),
    source: SourceNoteSchema,
  },
  { additionalProperties: false },
)

const LinkShape = {
  gbps: nonNegative('Bandwidth, Gb/s.', 1e6),
  maxActive: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Most concurrent transfers (the optimiser ceiling).',
    }),
  ),
  streamGbps: Type.Optional(nonNegative('Throughput of one transfer, Gb/s.', 1e4)),
  fileOverheadS: Type.Optional(nonNegative('Fixed seconds per file (set-up, checksum).', 3600)),
}
export const ScenarioLinkSchema = Type.Object(
  { from: SiteRefSchema, to: SiteRefSchema, ...LinkShape, source: SourceNoteSchema },
  { additionalProperties: false },
)

export const ScenarioOutageSchema = Type.Object(
  {
    site: Type.Optional(SiteRefSchema),
    link: Type.Optional(
      Type.Object({ from: SiteRefSchema, to: SiteRefSchema }, { additionalProperties: false }),
    ),
    startHour: nonNegative('Hours after the start.', 1e6),
    hours: nonNegative('Length, hours.', 1e6),
  },
  { additionalProperties: false },
)

export const ScenarioIngestSchema = Type.Object(
  {
    site: SiteRefSchema,
    tbPerDay: Type.Optional(nonNegative('Steady ingest, TB per day.')),
    /** A one-off volume present at the start (a data challenge's test set). */
    initialTB: Type.Optional(nonNegative('TB registered at the start.')),
    meanFileMB: nonNegative('Mean file size, MB.', 1e7),
    /** Files are grouped into datasets of this many hours of ingest (placement is per dataset). */
    datasetHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 8760 })),
    /** Initial volume split into this many datasets. */
    initialDatasets: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** The ingest site keeps its copy this long (a staging buffer); kept for ever when absent. */
    lifetimeDays: Type.Optional(nonNegative('Days the ingest copy is kept.', 36_500)),
    startDay: Type.Optional(nonNegative('Day the stream starts.', 36_500)),
    endDay: Type.Optional(nonNegative('Day the stream stops.', 36_500)),
    source: SourceNoteSchema,
  },
  { additionalProperties: false },
)

export const ScenarioRuleSchema = Type.Object(
  {
    expression: Type.String({ minLength: 1, maxLength: 1000 }),
    copies: Type.Integer({ minimum: 1, maximum: 100 }),
    weight: Type.Optional(Nullable(Type.String({ maxLength: 63 }))),
    activity: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    lifetimeDays: Type.Optional(
      nonNegative('Replicas made by the rule are deleted after this.', 36_500),
    ),
    source: SourceNoteSchema,
  },
  { additionalProperties: false },
)

export const ScenarioWorkflowSchema = Type.Object(
  {
    name: NameSchema,
    tasksPerDay: nonNegative('Tasks arriving per day.', 1e9),
    cores: Type.Integer({ minimum: 1, maximum: 100_000 }),
    memoryMbPerCore: Type.Optional(nonNegative('MiB per core.', 1e7)),
    walltimeHours: Type.Number({ exclusiveMinimum: 0, maximum: 8760 }),
    /** Each task reads the community's latest dataset (locality decides where it runs). */
    readsLatestData: Type.Optional(Type.Boolean()),
    /** Site expression the tasks are pinned to (the grammar of endpoint expressions). */
    sites: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    startDay: Type.Optional(nonNegative('', 36_500)),
    endDay: Type.Optional(nonNegative('', 36_500)),
    source: SourceNoteSchema,
  },
  { additionalProperties: false },
)

export const ScenarioAllocationSchema = Type.Object(
  {
    name: NameSchema,
    coreHours: Type.Optional(nonNegative('Core-hours granted over the period.', 1e15)),
    diskTB: Type.Optional(nonNegative('Disk granted, TB.')),
    /** Site expression the allocation is usable on (endpoint-expression grammar over sites). */
    services: Type.String({ minLength: 1, maxLength: 1000 }),
    startDay: Type.Optional(nonNegative('', 36_500)),
    endDay: Type.Optional(nonNegative('', 36_500)),
    source: SourceNoteSchema,
  },
  { additionalProperties: false },
)

export const ScenarioCommunitySchema = Type.Object(
  {
    name: NameSchema,
    share: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    ingest: Type.Optional(Type.Array(ScenarioIngestSchema, { maxItems: 200 })),
    rules: Type.Optional(Type.Array(ScenarioRuleSchema, { maxItems: 50 })),
    workflows: Type.Optional(Type.Array(ScenarioWorkflowSchema, { maxItems: 50 })),
    allocations: Type.Optional(Type.Array(ScenarioAllocationSchema, { maxItems: 50 })),
  },
  { additionalProperties: false },
)

export const ScenarioSchema = Type.Object(
  {
    name: NameSchema,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    sources: Type.Array(
      Type.Object(
        {
          id: NameSchema,
          title: Type.String({ maxLength: 400 }),
          url: Type.String({ maxLength: 2048, pattern: '^https?://' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
    start: Type.Optional(TimestampSchema),
    days: Type.Number({ exclusiveMinimum: 0, maximum: 3660 }),
    stepMinutes: Type.Optional(Type.Number({ minimum: 1, maximum: 1440 })),
    sampleHours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 24 * 31 })),
    /** Also use the shipped landscape's network links between the scenario's landscape sites. */
    landscapeLinks: Type.Optional(Type.Boolean()),
    sites: Type.Array(ScenarioSiteSchema, { minItems: 1, maxItems: 500 }),
    links: Type.Optional(Type.Array(ScenarioLinkSchema, { maxItems: 5000 })),
    defaultLink: Type.Optional(Type.Object(LinkShape, { additionalProperties: false })),
    outages: Type.Optional(Type.Array(ScenarioOutageSchema, { maxItems: 1000 })),
    communities: Type.Array(ScenarioCommunitySchema, { minItems: 1, maxItems: 100 }),
    energy: Type.Optional(
      Type.Object(
        {
          transferKwhPerTB: Type.Optional(nonNegative('Network energy per TB moved.', 1e6)),
          diskWattsPerTB: Type.Optional(nonNegative('Disk power per TB stored.', 1e4)),
          source: SourceNoteSchema,
        },
        { additionalProperties: false },
      ),
    ),
    /** Published figures the run is compared with (e.g. a data challenge's). */
    published: Type.Optional(
      Type.Object(
        {
          tb: Type.Optional(nonNegative('')),
          files: Type.Optional(nonNegative('')),
          hours: Type.Optional(nonNegative('')),
          peakLinkGbps: Type.Optional(nonNegative('')),
          source: Type.String({ maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type Scenario = Static<typeof ScenarioSchema>
export type ScenarioSite = Static<typeof ScenarioSiteSchema>
export type ScenarioLink = Static<typeof ScenarioLinkSchema>

export const SimulationRequestSchema = Type.Object(
  {
    scenario: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1_000_000, description: 'Scenario YAML text.' }),
    ),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        pattern: '^[a-z0-9][a-z0-9._-]*$',
        description: 'A shipped scenario.',
      }),
    ),
    format: Type.Optional(StringEnum(['json', 'html'] as const)),
  },
  { additionalProperties: false },
)
export type SimulationRequest = Static<typeof SimulationRequestSchema>

const Series = Type.Array(Type.Number())
const Action = Type.Object(
  {
    target: Type.String(),
    change: Type.String(),
    requirement: Type.String({ description: 'The gap report requirement key this action meets.' }),
    phase: StringEnum(['foundation', 'integration', 'maturation'] as const),
  },
  { additionalProperties: false },
)
export const BottleneckSchema = Type.Object(
  {
    kind: StringEnum([
      'storage-full',
      'link-backlog',
      'task-queue',
      'unplaced-tasks',
      'allocation-exhausted',
    ] as const),
    at: TimestampSchema,
    hour: Type.Number(),
    where: Type.String(),
    detail: Type.String(),
    action: Action,
  },
  { additionalProperties: false },
)
export type Bottleneck = Static<typeof BottleneckSchema>

export const SimulationReportSchema = Type.Object(
  {
    scenario: Type.Object({
      name: Type.String(),
      title: Type.String(),
      days: Type.Number(),
      start: TimestampSchema,
      sources: Type.Array(
        Type.Object({ id: Type.String(), title: Type.String(), url: Type.String() }),
      ),
    }),
    run: Type.Object({
      steps: Type.Integer(),
      stepMinutes: Type.Number(),
      wallMs: Type.Number(),
      simulatedToWall: Type.Number(),
      datasets: Type.Integer(),
    }),
    summary: Type.Object({
      ingestedTB: Type.Number(),
      ingestedFiles: Type.Number(),
      replicatedTB: Type.Number(),
      replicatedFiles: Type.Number(),
      unplacedTB: Type.Number(),
      backlogTB: Type.Number(),
      /** Hours until the last queued copy arrived; null when copies were still queued at the end. */
      distributionHours: Nullable(Type.Number()),
      meanThroughputGbps: Type.Number(),
      peakLinkGbps: Type.Number(),
      tasksRun: Type.Number(),
      tasksUnplaced: Type.Number(),
      meanQueueHours: Type.Number(),
      energyKwh: Type.Object({
        compute: Type.Number(),
        storage: Type.Number(),
        network: Type.Number(),
      }),
    }),
    published: Nullable(Type.Object({}, { additionalProperties: true })),
    bottleneck: Nullable(BottleneckSchema),
    bottlenecks: Type.Array(BottleneckSchema),
    hours: Series,
    sites: Type.Array(
      Type.Object({
        name: Type.String(),
        capacityTB: Type.Number(),
        usedTB: Series,
        freeTB: Series,
        tapeUsedTB: Series,
        runningCores: Series,
      }),
    ),
    links: Type.Array(
      Type.Object({
        from: Type.String(),
        to: Type.String(),
        gbps: Type.Number(),
        backlogTB: Series,
        throughputGbps: Series,
        activeLimit: Series,
      }),
    ),
    tasks: Type.Object({
      queued: Series,
      running: Series,
      meanQueueHours: Series,
      unplaced: Series,
    }),
    allocations: Type.Array(
      Type.Object({
        name: Type.String(),
        community: Type.String(),
        coreHours: Nullable(Type.Number()),
        coreHoursLeft: Series,
        diskTB: Nullable(Type.Number()),
        diskUsedTB: Series,
      }),
    ),
    energyKwh: Series,
  },
  { additionalProperties: false },
)
export type SimulationReport = Static<typeof SimulationReportSchema>

export const ScenarioListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      days: Type.Number(),
      description: Type.String(),
    }),
  ),
})
export type ScenarioList = Static<typeof ScenarioListSchema>
