/**
 * Wire contract of workflows: the native YAML workflow document (its JSON Schema is published as
 * docs/workflow.schema.json) and the requests and responses of the workflow and usage routes.
 */
import {
  IdSchema,
  NameSchema,
  Nullable,
  PageQuerySchema,
  PageSchema,
  StringEnum,
  TimestampSchema,
  Type,
  type Static,
} from './common.js'
import { workflowStates, taskStates } from './closed-sets.js'

export { workflowStates, taskStates }

export type WorkflowState = (typeof workflowStates)[number]

export type TaskState = (typeof taskStates)[number]

// ---- the workflow document (what users write) -----------------------------------------------

const TaskNameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9][a-z0-9_-]*$',
  description: "Lower-case letters, digits, '_' and '-'.",
})
const Text = Type.String({ maxLength: 8192 })
const ParamValue = Type.Union([Type.String({ maxLength: 8192 }), Type.Number(), Type.Boolean()])
const QuantitySchema = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 32 })], {
  description: 'A number, or a string with a unit: 512MB, 2GiB, 30m, 2h, 1d.',
})
const DataRefSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    "A file path relative to the workflow's folder, or a data identifier 'scope:name' prefixed with 'did:'.",
})

export const ResourcesSchema = Type.Object(
  {
    cores: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
    memory: Type.Optional(QuantitySchema),
    walltime: Type.Optional(QuantitySchema),
    accelerators: Type.Optional(
      Type.Object(
        {
          model: Type.Optional(Type.String({ maxLength: 64 })),
          count: Type.Integer({ minimum: 1, maximum: 64 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

const EnvironmentSchema = Type.Object(
  {
    image: Type.Optional(
      Type.String({ maxLength: 512, description: 'Container image, e.g. docker://alpine:3.19' }),
    ),
    name: Type.Optional(
      Type.String({ maxLength: 128, description: 'Named software environment from the catalogue' }),
    ),
  },
  { additionalProperties: false },
)

const ScatterSchema = Type.Object(
  {
    items: Type.Optional(Type.Array(ParamValue, { maxItems: 100000 })),
    range: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    param: Type.Optional(Type.String({ maxLength: 63, description: 'A list-valued parameter' })),
    dataset: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: "A dataset 'scope:name' whose files to scatter over",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
)

export const TaskDocumentSchema = Type.Object(
  {
    name: TaskNameSchema,
    command: Type.Optional(
      Type.Array(Type.Union([Text, Type.Number(), Type.Boolean()]), {
        minItems: 1,
        maxItems: 1000,
        description: 'argv; no shell unless you ask for one',
      }),
    ),
    script: Type.Optional(
      Type.String({ maxLength: 65536, description: 'A shell script, run with /bin/sh -e' }),
    ),
    environment: Type.Optional(EnvironmentSchema),
    env: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.String({ maxLength: 8192 }),
      ),
    ),
    resources: Type.Optional(ResourcesSchema),
    needs: Type.Optional(Type.Array(TaskNameSchema, { maxItems: 1000 })),
    inputs: Type.Optional(Type.Array(DataRefSchema, { maxItems: 10000 })),
    outputs: Type.Optional(Type.Array(DataRefSchema, { maxItems: 10000 })),
    scatter: Type.Optional(ScatterSchema),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    backoff: Type.Optional(QuantitySchema),
    site: Type.Optional(
      Type.String({ maxLength: 512, description: 'Endpoint-style expression the site must match' }),
    ),
    exclude: Type.Optional(
      Type.String({ maxLength: 512, description: 'Endpoint-style expression of sites to avoid' }),
    ),
    cache: Type.Optional(
      Type.Boolean({ description: 'Reuse an identical completed task (default true)' }),
    ),
  },
  { additionalProperties: false },
)
export type TaskDocument = Static<typeof TaskDocumentSchema>

export const WorkflowDocumentSchema = Type.Object(
  {
    name: NameSchema,
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    community: Type.Optional(NameSchema),
    useCase: Type.Optional({
      ...NameSchema,
      description:
        'The landscape use case this workflow serves (`continuum landscape plan USECASE` shows where it would run)',
    }),
    parameters: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.Union([ParamValue, Type.Array(ParamValue, { maxItems: 100000 })]),
      ),
    ),
    defaults: Type.Optional(
      Type.Object(
        {
          resources: Type.Optional(ResourcesSchema),
          retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
          backoff: Type.Optional(QuantitySchema),
          site: Type.Optional(Type.String({ maxLength: 512 })),
          exclude: Type.Optional(Type.String({ maxLength: 512 })),
        },
        { additionalProperties: false },
      ),
    ),
    outputs: Type.Optional(
      Type.Object(
        {
          scope: Type.String({ maxLength: 63 }),
          rule: Type.Optional(Type.String({ maxLength: 512 })),
        },
        {
          additionalProperties: false,
          description: 'Where outputs given as did: are registered, and the rule that keeps them',
        },
      ),
    ),
    tasks: Type.Array(TaskDocumentSchema, { minItems: 1, maxItems: 10000 }),
  },
  {
    additionalProperties: false,
    $id: 'https://continuum.example.org/schemas/workflow.schema.json',
    title: 'Continuum workflow',
  },
)
export type WorkflowDocument = Static<typeof WorkflowDocumentSchema>

// ---- API ---------------------------------------------------------------------------------------

export const WorkflowFileSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: "Relative to the workflow's folder: plain names joined by '/'",
    }),
    content: Type.String({
      maxLength: 100_000_000,
      pattern: '^[A-Za-z0-9+/]*={0,2}$',
      description: 'The bytes, base64',
    }),
  },
  { additionalProperties: false },
)
export type WorkflowFile = Static<typeof WorkflowFileSchema>

export const WorkflowFileListSchema = Type.Object(
  {
    workflowId: IdSchema,
    files: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() })),
    truncated: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type WorkflowFileList = Static<typeof WorkflowFileListSchema>

export const WorkflowFileQuerySchema = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
)
export type WorkflowFileQuery = Static<typeof WorkflowFileQuerySchema>

export const WorkflowFileContentSchema = Type.Object(
  { path: Type.String(), size: Type.Integer(), content: Type.String() },
  { additionalProperties: false },
)
export type WorkflowFileContent = Static<typeof WorkflowFileContentSchema>

export const WorkflowSubmitSchema = Type.Object(
  {
    source: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description: 'The workflow YAML text',
    }),
    filename: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Shown in validation errors' }),
    ),
    workdir: Type.Optional(
      Type.String({
        maxLength: 4096,
        pattern: '^/',
        description:
          "Deprecated: a folder under the site's workdirRoots; send `files` instead and the server makes the workflow's folder",
      }),
    ),
    files: Type.Optional(
      Type.Array(WorkflowFileSchema, {
        maxItems: 1000,
        description:
          "Files the workflow reads from the submitter's machine, written into its new folder",
      }),
    ),
    parameters: Type.Optional(
      Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 8192 }), {
        maxProperties: 1000,
      }),
    ),
    cwlJob: Type.Optional(
      Type.String({
        maxLength: 1_000_000,
        description:
          'For a CWL document (a `.cwl` filename, or a top-level `cwlVersion`): its input object, YAML or JSON; file locations are relative to the workflow folder (the `files` sent)',
      }),
    ),
    cwlRegisterOutputs: Type.Optional(
      Type.Object(
        {
          scope: Type.String({ minLength: 1, maxLength: 100 }),
          rule: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 1000,
              description: 'RSE expression of the replication rule placed on each output',
            }),
          ),
          copies: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        },
        {
          additionalProperties: false,
          description:
            'For a CWL document: once it has succeeded, register its output Files into this scope (the caller must be allowed to create files in it), on storage near the site that made each, kept by the rule if given; the output object then names them `did:scope:name`',
        },
      ),
    ),
    noCache: Type.Optional(Type.Boolean()),
    dryRun: Type.Optional(Type.Boolean({ description: 'Validate and expand only' })),
  },
  { additionalProperties: false },
)
export type WorkflowSubmit = Static<typeof WorkflowSubmitSchema>

export const CwlOutputSchema = Type.Object(
  {
    workflowId: IdSchema,
    output: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "The CWL output object; each File's and Directory's `path` and `location` are relative to the workflow's folder (read them with GET /workflows/{id}/file)",
    }),
  },
  { additionalProperties: false },
)
export type CwlOutput = Static<typeof CwlOutputSchema>

const CountsSchema = Type.Record(Type.String(), Type.Integer())

export const WorkflowSchema = Type.Object(
  {
    id: IdSchema,
    name: Type.String(),
    community: Nullable(Type.String()),
    useCase: Nullable(Type.String()),
    state: StringEnum(workflowStates),
    taskCount: Type.Integer(),
    counts: CountsSchema,
    noCache: Type.Boolean(),
    workdir: Type.String(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    finishedAt: Nullable(TimestampSchema),
  },
  { additionalProperties: false },
)
export type Workflow = Static<typeof WorkflowSchema>

export const WorkflowListQuerySchema = Type.Object(
  { state: Type.Optional(StringEnum(workflowStates)), ...PageQuerySchema },
  { additionalProperties: false },
)
export type WorkflowListQuery = Static<typeof WorkflowListQuerySchema>
export const WorkflowPageSchema = PageSchema(WorkflowSchema)

export const TaskSchema = Type.Object(
  {
    id: IdSchema,
    name: Type.String(),
    state: StringEnum(taskStates),
    attempt: Type.Integer(),
    maxRetries: Type.Integer(),
    site: Nullable(Type.String()),
    externalId: Nullable(Type.String()),
    exitCode: Nullable(Type.Integer()),
    reason: Nullable(Type.String()),
    cached: Type.Boolean(),
    startedAt: Nullable(TimestampSchema),
    finishedAt: Nullable(TimestampSchema),
  },
  { additionalProperties: false },
)
export type Task = Static<typeof TaskSchema>

export const TaskListQuerySchema = Type.Object(
  { state: Type.Optional(StringEnum(taskStates)), ...PageQuerySchema },
  { additionalProperties: false },
)
export type TaskListQuery = Static<typeof TaskListQuerySchema>
export const TaskPageSchema = PageSchema(TaskSchema)

export const TaskEventSchema = Type.Object(
  {
    at: TimestampSchema,
    from: Nullable(Type.String()),
    to: Type.String(),
    reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
)

export const PlacementReasonSchema = Type.Object(
  {
    site: Type.String(),
    eligible: Type.Boolean(),
    score: Nullable(Type.Number()),
    reasons: Type.Array(Type.String()),
  },
  { additionalProperties: false },
)

export const TaskExplanationSchema = Type.Object(
  {
    task: TaskSchema,
    community: Nullable(Type.String({ description: "The workflow's community" })),
    useCase: Nullable(Type.String({ description: 'The landscape use case the workflow serves' })),
    command: Type.Array(Type.String()),
    needs: Type.Array(Type.String()),
    cacheKey: Nullable(Type.String()),
    placement: Type.Array(PlacementReasonSchema),
    history: Type.Array(TaskEventSchema),
  },
  { additionalProperties: false },
)
export type TaskExplanation = Static<typeof TaskExplanationSchema>

export const TaskLogsSchema = Type.Object(
  { task: Type.String(), attempt: Type.Integer(), stdout: Type.String(), stderr: Type.String() },
  { additionalProperties: false },
)
export type TaskLogs = Static<typeof TaskLogsSchema>

export const WorkflowRetrySchema = Type.Object(
  { tasks: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 10000 })) },
  { additionalProperties: false },
)
export type WorkflowRetry = Static<typeof WorkflowRetrySchema>

export const WorkflowParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })
export const TaskParamsSchema = Type.Object(
  { id: IdSchema, task: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const UsageQuerySchema = Type.Object(
  {
    groupBy: Type.Optional(
      StringEnum(['community', 'site', 'day', 'month', 'workflow', 'allocation'] as const),
    ),
    community: Type.Optional(Type.String({ maxLength: 63 })),
    site: Type.Optional(Type.String({ maxLength: 63 })),
    allocation: Type.Optional(
      Type.String({ maxLength: 63, description: 'Only tasks charged to this allocation.' }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)
export type UsageQuery = Static<typeof UsageQuerySchema>

export const UsageRowSchema = Type.Object(
  {
    key: Type.String(),
    tasks: Type.Integer(),
    coreHours: Type.Number(),
    wallHours: Type.Number(),
    cpuHours: Type.Number(),
    energyKwh: Type.Number({
      description:
        'An estimate, not a measurement: the sum over attempts of cores × watts per core (× the PUE of a catalogue service) × wall time, in kWh. See docs/workflows.md.',
    }),
  },
  { additionalProperties: false },
)
export const UsageReportSchema = Type.Object(
  { groupBy: Type.String(), rows: Type.Array(UsageRowSchema) },
  { additionalProperties: false },
)
export type UsageReport = Static<typeof UsageReportSchema>
