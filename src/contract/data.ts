/** Wire contract of the data federation: scopes, data identifiers, endpoints, replicas. */
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
import { didTypes } from './closed-sets.js'

export { didTypes }

export type DidType = (typeof didTypes)[number]
export const didStatuses = ['open', 'closed'] as const
export const replicaStates = ['available', 'copying', 'bad', 'unavailable'] as const
export type ReplicaState = (typeof replicaStates)[number]
export const protocolSchemes = [
  'file',
  'http',
  'https',
  'davs',
  'root',
  'roots',
  's3',
  's3+http',
  's3+https',
] as const

// The domain checks the full grammar (DID_INVALID with a reason); schemas only bound the sizes.
export const ScopeSchema = Type.String({
  minLength: 1,
  maxLength: 25,
  description: 'Scope: letters, digits, _ . -; at most 25 characters.',
})
export const DidNameSchema = Type.String({
  minLength: 1,
  maxLength: 250,
  description: "Name: letters, digits, _ . : + -; no '/', no '..'; at most 250.",
})
const Adler32Schema = Type.String({
  pattern: '^[0-9a-f]{8}$',
  description: 'adler32 as 8 lower-case hex digits.',
})
const Sha256Schema = Type.String({ pattern: '^[0-9a-f]{64}$' })
const BytesSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
const MetaValueSchema = Type.Union([
  Type.String({ maxLength: 1000 }),
  Type.Number(),
  Type.Boolean(),
])
export const MetaSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$' }),
  MetaValueSchema,
  {
    maxProperties: 100,
    additionalProperties: false,
    description: 'Free key-value metadata (string, number or boolean values).',
  },
)
export type Meta = Static<typeof MetaSchema>

export const DidRefSchema = Type.Object(
  { scope: ScopeSchema, name: DidNameSchema },
  { additionalProperties: false },
)
export type DidRef = Static<typeof DidRefSchema>

export const DidParamsSchema = Type.Object(
  { scope: ScopeSchema, name: DidNameSchema },
  { additionalProperties: false },
)

export const DataScopeSchema = Type.Object(
  {
    name: ScopeSchema,
    account: Type.String(),
    community: Nullable(Type.String()),
    public: Type.Boolean({
      description: 'Open data: every authenticated identity may read its identifiers and files.',
    }),
    createdAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type DataScope = Static<typeof DataScopeSchema>
export const DataScopeCreateSchema = Type.Object(
  {
    name: ScopeSchema,
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    community: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description:
          "Catalogue community owning the scope; default: the caller's community when they have one.",
      }),
    ),
    public: Type.Optional(
      Type.Boolean({ description: 'Open data: readable by every authenticated identity.' }),
    ),
  },
  { additionalProperties: false },
)
export type DataScopeCreate = Static<typeof DataScopeCreateSchema>
export const DataScopeUpdateSchema = Type.Object(
  { public: Type.Boolean({ description: 'Open data: readable by every authenticated identity.' }) },
  { additionalProperties: false },
)
export type DataScopeUpdate = Static<typeof DataScopeUpdateSchema>
export const DataScopeParamsSchema = Type.Object(
  { scope: ScopeSchema },
  { additionalProperties: false },
)
export const DataScopeListSchema = Type.Object(
  { items: Type.Array(DataScopeSchema) },
  { additionalProperties: false },
)

export const DidSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    type: StringEnum(didTypes),
    status: StringEnum(didStatuses),
    monotonic: Type.Boolean(),
    bytes: Nullable(BytesSchema),
    adler32: Nullable(Adler32Schema),
    sha256: Nullable(Sha256Schema),
    meta: MetaSchema,
    account: Type.String(),
    createdBy: Nullable(
      Type.String({ description: 'Principal (issuer#subject) that created it.' }),
    ),
    path: Type.String({
      description: 'Namespace path, /scope/name: what storage.* token scopes match.',
    }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Did = Static<typeof DidSchema>

export const DidCreateSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    type: StringEnum(didTypes),
    bytes: Type.Optional(BytesSchema),
    adler32: Type.Optional(Adler32Schema),
    sha256: Type.Optional(Sha256Schema),
    monotonic: Type.Optional(
      Type.Boolean({ description: 'Collections only: content may be added, never removed.' }),
    ),
    meta: Type.Optional(MetaSchema),
  },
  { additionalProperties: false },
)
export type DidCreate = Static<typeof DidCreateSchema>

export const DidUpdateSchema = Type.Object(
  {
    status: Type.Optional(
      StringEnum(['closed'] as const, {
        description: 'Close a dataset or container (cannot be reopened).',
      }),
    ),
    meta: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$' }),
        Type.Union([MetaValueSchema, Type.Null()]),
        {
          maxProperties: 100,
          additionalProperties: false,
          description: 'Keys to set; a null value removes the key.',
        },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type DidUpdate = Static<typeof DidUpdateSchema>

export const DidListQuerySchema = Type.Object(
  {
    ...PageQuerySchema,
    scope: ScopeSchema,
    name: Type.Optional(
      Type.String({
        maxLength: 250,
        description: "Name pattern; '*' matches any run of characters.",
      }),
    ),
    type: Type.Optional(StringEnum(didTypes)),
    filter: Type.Optional(
      Type.String({
        maxLength: 1000,
        description:
          "Metadata filters joined by ',': key=value, key!=value, key>n, key<n, key>=n, key<=n.",
      }),
    ),
  },
  { additionalProperties: false },
)
export type DidListQuery = Static<typeof DidListQuerySchema>
export const DidPageSchema = PageSchema(DidSchema)

export const AttachmentSchema = Type.Object(
  { children: Type.Array(DidRefSchema, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
)
export type Attachment = Static<typeof AttachmentSchema>
export const ContentQuerySchema = Type.Object(
  { ...PageQuerySchema },
  { additionalProperties: false },
)

export const ProtocolSchema = Type.Object(
  {
    scheme: StringEnum(protocolSchemes),
    url: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'Base URL: file:///srv/data, https://host:port/path, root://host:port//path',
    }),
    read: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Priority for reading, 1 = first choice, 0 = not for reading.',
    }),
    write: Type.Integer({ minimum: 0, maximum: 100 }),
    delete: Type.Integer({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
)
export type Protocol = Static<typeof ProtocolSchema>

export const EndpointNameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[A-Z0-9][A-Z0-9_-]*$',
  description:
    "Upper-case letters, digits, '_' and '-', as Rucio RSE names (e.g. DESY-ZN_DATADISK).",
})
const AttributeKeySchema = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' })
const AttributeValueSchema = Type.Union([
  Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }),
  Type.Number(),
  Type.Boolean(),
])
export const EndpointAttributesSchema = Type.Record(AttributeKeySchema, AttributeValueSchema, {
  maxProperties: 100,
  additionalProperties: false,
})

export const EndpointSchema = Type.Object(
  {
    id: IdSchema,
    name: EndpointNameSchema,
    attributes: EndpointAttributesSchema,
    protocols: Type.Array(ProtocolSchema),
    availableRead: Type.Boolean(),
    availableWrite: Type.Boolean(),
    availableDelete: Type.Boolean(),
    capacityBytes: Nullable(BytesSchema),
    usedBytes: BytesSchema,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Endpoint = Static<typeof EndpointSchema>

export const EndpointCreateSchema = Type.Object(
  {
    name: EndpointNameSchema,
    attributes: Type.Optional(EndpointAttributesSchema),
    protocols: Type.Optional(Type.Array(ProtocolSchema, { maxItems: 20 })),
    availableRead: Type.Optional(Type.Boolean()),
    availableWrite: Type.Optional(Type.Boolean()),
    availableDelete: Type.Optional(Type.Boolean()),
    capacityBytes: Type.Optional(Nullable(BytesSchema)),
  },
  { additionalProperties: false },
)
export type EndpointCreate = Static<typeof EndpointCreateSchema>
export const EndpointUpdateSchema = Type.Object(
  {
    attributes: Type.Optional(
      Type.Record(AttributeKeySchema, Type.Union([AttributeValueSchema, Type.Null()]), {
        maxProperties: 100,
        additionalProperties: false,
      }),
    ),
    protocols: Type.Optional(Type.Array(ProtocolSchema, { maxItems: 20 })),
    availableRead: Type.Optional(Type.Boolean()),
    availableWrite: Type.Optional(Type.Boolean()),
    availableDelete: Type.Optional(Type.Boolean()),
    capacityBytes: Type.Optional(Nullable(BytesSchema)),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type EndpointUpdate = Static<typeof EndpointUpdateSchema>
export const EndpointListQuerySchema = Type.Object(
  {
    expression: Type.Optional(
      Type.String({
        maxLength: 1000,
        description: "Endpoint expression, e.g. 'tier=1&country=DE'.",
      }),
    ),
  },
  { additionalProperties: false },
)
export const EndpointListSchema = Type.Object(
  { items: Type.Array(EndpointSchema) },
  { additionalProperties: false },
)
export const EndpointParamsSchema = Type.Object(
  { endpoint: Type.String({ minLength: 1, maxLength: 63 }) },
  { additionalProperties: false },
)

export const ReplicaSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    endpoint: EndpointNameSchema,
    state: StringEnum(replicaStates),
    bytes: BytesSchema,
    adler32: Nullable(Adler32Schema),
    path: Type.String(),
    urls: Type.Array(Type.String(), { description: 'Access URLs, best read protocol first.' }),
    lockCount: Type.Integer(),
    tombstone: Nullable(TimestampSchema),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Replica = Static<typeof ReplicaSchema>
export const ReplicaListSchema = Type.Object(
  { items: Type.Array(ReplicaSchema) },
  { additionalProperties: false },
)

export const ReplicaRegistrationSchema = Type.Object(
  {
    scope: ScopeSchema,
    name: DidNameSchema,
    bytes: BytesSchema,
    adler32: Adler32Schema,
    state: Type.Optional(StringEnum(['available', 'unavailable'] as const)),
    meta: Type.Optional(MetaSchema),
  },
  { additionalProperties: false },
)
export type ReplicaRegistration = Static<typeof ReplicaRegistrationSchema>
export const ReplicaBulkSchema = Type.Object(
  {
    endpoint: EndpointNameSchema,
    replicas: Type.Array(ReplicaRegistrationSchema, { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false },
)
export type ReplicaBulk = Static<typeof ReplicaBulkSchema>

export const ItemErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String() },
  { additionalProperties: false },
)
export const ItemResultSchema = Type.Object(
  { item: Type.String(), ok: Type.Boolean(), error: Type.Optional(ItemErrorSchema) },
  { additionalProperties: false },
)
export type ItemResult = Static<typeof ItemResultSchema>
export const BulkResultSchema = Type.Object(
  { results: Type.Array(ItemResultSchema), ok: Type.Integer(), failed: Type.Integer() },
  { additionalProperties: false },
)
export type BulkResult = Static<typeof BulkResultSchema>
