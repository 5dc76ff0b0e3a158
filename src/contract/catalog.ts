/** Wire contract of the catalogue: communities and infrastructures. */
import {
  DescriptionSchema,
  IdOrNameSchema,
  IdSchema,
  NameSchema,
  Nullable,
  PageQuerySchema,
  PageSchema,
  StringEnum,
  TimestampSchema,
  TitleSchema,
  Type,
  UrlSchema,
  type Static,
} from './common.js'
import { infrastructureKinds, infrastructureStatuses } from './closed-sets.js'

export { infrastructureKinds, infrastructureStatuses }

export type InfrastructureKind = (typeof infrastructureKinds)[number]

export type InfrastructureStatus = (typeof infrastructureStatuses)[number]

const KindSchema = StringEnum(infrastructureKinds, { description: 'HPC | HTC | Cloud | Data' })
const StatusSchema = StringEnum(infrastructureStatuses, {
  description: 'operational | planned | retired',
})
const CountrySchema = Type.String({
  pattern: '^[A-Z]{2}$',
  description:
    "ISO 3166-1 alpha-2 country code of the operator, or 'EU' for a pan-European service.",
})
const SearchSchema = Type.String({
  maxLength: 100,
  description: 'Case-insensitive substring of the name or title.',
})

export const CommunitySchema = Type.Object(
  {
    id: IdSchema,
    name: NameSchema,
    title: TitleSchema,
    field: Nullable(Type.String({ maxLength: 100 })),
    description: DescriptionSchema,
    homepage: Nullable(UrlSchema),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Community = Static<typeof CommunitySchema>

export const CommunityCreateSchema = Type.Object(
  {
    name: NameSchema,
    title: TitleSchema,
    field: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 100,
          description: 'Research field, e.g. "High-Energy Physics".',
        }),
      ),
    ),
    description: Type.Optional(DescriptionSchema),
    homepage: Type.Optional(Nullable(UrlSchema)),
  },
  { additionalProperties: false },
)
export type CommunityCreate = Static<typeof CommunityCreateSchema>

export const CommunityUpdateSchema = Type.Object(
  {
    title: Type.Optional(TitleSchema),
    field: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    description: Type.Optional(DescriptionSchema),
    homepage: Type.Optional(Nullable(UrlSchema)),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type CommunityUpdate = Static<typeof CommunityUpdateSchema>

export const CommunityListQuerySchema = Type.Object(
  {
    ...PageQuerySchema,
    q: Type.Optional(SearchSchema),
    field: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)
export type CommunityListQuery = Static<typeof CommunityListQuerySchema>

export const CommunityPageSchema = PageSchema(CommunitySchema)

export const InfrastructureSchema = Type.Object(
  {
    id: IdSchema,
    name: NameSchema,
    title: TitleSchema,
    kind: KindSchema,
    operator: Type.String({ maxLength: 200 }),
    country: CountrySchema,
    url: Nullable(UrlSchema),
    status: StatusSchema,
    partOf: Nullable(NameSchema),
    description: DescriptionSchema,
    source: Nullable(UrlSchema),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Infrastructure = Static<typeof InfrastructureSchema>

const OperatorSchema = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\u0000]*$',
  description: 'Organisation that runs it.',
})
const PartOfSchema = Nullable(
  Type.String({
    ...NameSchema,
    description: 'Name of the federation or programme it belongs to (another infrastructure).',
  }),
)
const SourceSchema = Nullable(
  Type.String({ ...UrlSchema, description: 'Public page the facts come from.' }),
)

export const InfrastructureCreateSchema = Type.Object(
  {
    name: NameSchema,
    title: TitleSchema,
    kind: KindSchema,
    operator: OperatorSchema,
    country: CountrySchema,
    url: Type.Optional(Nullable(UrlSchema)),
    status: Type.Optional(StatusSchema),
    partOf: Type.Optional(PartOfSchema),
    description: Type.Optional(DescriptionSchema),
    source: Type.Optional(SourceSchema),
  },
  { additionalProperties: false },
)
export type InfrastructureCreate = Static<typeof InfrastructureCreateSchema>

export const InfrastructureUpdateSchema = Type.Object(
  {
    title: Type.Optional(TitleSchema),
    kind: Type.Optional(KindSchema),
    operator: Type.Optional(OperatorSchema),
    country: Type.Optional(CountrySchema),
    url: Type.Optional(Nullable(UrlSchema)),
    status: Type.Optional(StatusSchema),
    partOf: Type.Optional(PartOfSchema),
    description: Type.Optional(DescriptionSchema),
    source: Type.Optional(SourceSchema),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type InfrastructureUpdate = Static<typeof InfrastructureUpdateSchema>

export const InfrastructureListQuerySchema = Type.Object(
  {
    ...PageQuerySchema,
    kind: Type.Optional(KindSchema),
    country: Type.Optional(CountrySchema),
    status: Type.Optional(StatusSchema),
    partOf: Type.Optional(NameSchema),
    q: Type.Optional(SearchSchema),
  },
  { additionalProperties: false },
)
export type InfrastructureListQuery = Static<typeof InfrastructureListQuerySchema>

export const InfrastructurePageSchema = PageSchema(InfrastructureSchema)

export const IdOrNameParamsSchema = Type.Object(
  { id: IdOrNameSchema },
  { additionalProperties: false },
)
