/**
 * Wire contract of workflows: the requests and responses of the workflow and usage routes. The
 * native YAML workflow document is in workflow-document.ts.
 */
import {
  IdSchema,
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
