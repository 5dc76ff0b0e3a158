/**
 * The native YAML workflow document (what users write): its JSON Schema is published as
 * docs/workflow.schema.json. The API's requests and responses are in workflows.ts.
 */
import { NameSchema, Type, type Static } from './common.js'

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
