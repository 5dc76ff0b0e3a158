/**
 * The catalogue file format (YAML or JSON): one object whose keys hold lists of records of
 * each kind, written exactly as the API's create requests. Published as JSON Schema in
 * data/schema/catalog.schema.json (generated from this; a test keeps them equal).
 */
import {
  AccessPolicy,
  Allocation,
  CommunityMember,
  ComputeService,
  NetworkLink,
  Site,
  SoftwareEnvironment,
  StorageService,
  WorkingGroup,
} from './catalog-services.js'
import { CommunityCreateSchema, InfrastructureCreateSchema } from './catalog.js'
import { Type, type Static, type TSchema } from './common.js'
import { DocumentCreateSchema, UseCaseCreateSchema } from './landscape.js'

/** File keys in import order: every record's references come before it. */
export const catalogFileKinds = {
  infrastructures: InfrastructureCreateSchema,
  communities: CommunityCreateSchema,
  sites: Site.create,
  computeServices: ComputeService.create,
  storageServices: StorageService.create,
  softwareEnvironments: SoftwareEnvironment.create,
  networkLinks: NetworkLink.create,
  accessPolicies: AccessPolicy.create,
  workingGroups: WorkingGroup.create,
  members: CommunityMember.create,
  allocations: Allocation.create,
  useCases: UseCaseCreateSchema,
  documents: DocumentCreateSchema,
} as const satisfies Record<string, TSchema>
export type CatalogFileKey = keyof typeof catalogFileKinds
export const catalogFileKeys = Object.keys(catalogFileKinds) as CatalogFileKey[]

export const CatalogFileSchema = Type.Object(
  {
    version: Type.Optional(Type.Literal(1, { description: 'Format version; 1.' })),
    ...(Object.fromEntries(
      catalogFileKeys.map((k) => [
        k,
        Type.Optional(Type.Array(catalogFileKinds[k], { maxItems: 100_000 })),
      ]),
    ) as {
      [K in CatalogFileKey]: ReturnType<
        typeof Type.Optional<ReturnType<typeof Type.Array<(typeof catalogFileKinds)[K]>>>
      >
    }),
  },
  {
    additionalProperties: false,
    $id: 'https://continuum.example.org/schema/catalog.schema.json',
    title: 'Continuum catalogue file',
  },
)
export type CatalogFile = Static<typeof CatalogFileSchema>

export const ImportFileSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 500, description: 'Shown in error locations.' }),
    content: Type.String({ maxLength: 16 * 1024 * 1024 }),
  },
  { additionalProperties: false },
)
export const ImportRequestSchema = Type.Object(
  {
    files: Type.Array(ImportFileSchema, { minItems: 1, maxItems: 500 }),
    format: Type.Optional(
      Type.Union([Type.Literal('yaml'), Type.Literal('glue2')], {
        description:
          'yaml: catalogue files; glue2: GLUE 2.0 as JSON (nested or flat with Associations) or LDIF, told apart per file. When absent, LDIF files are read as GLUE 2.0.',
      }),
    ),
    dryRun: Type.Optional(
      Type.Boolean({
        description: 'Validate everything, references included, and change nothing.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ImportRequest = Static<typeof ImportRequestSchema>
export const ImportErrorSchema = Type.Object(
  {
    file: Type.String(),
    line: Type.Integer(),
    column: Type.Integer(),
    path: Type.String(),
    message: Type.String(),
    text: Type.String({ description: 'file:line:col path: message' }),
  },
  { additionalProperties: false },
)
export type ImportError = Static<typeof ImportErrorSchema>
export const ImportResultSchema = Type.Object(
  {
    dryRun: Type.Boolean(),
    counts: Type.Record(Type.String(), Type.Integer()),
    unmapped: Type.Array(
      Type.Object(
        { file: Type.String(), path: Type.String(), reason: Type.String() },
        { additionalProperties: false },
      ),
      { description: 'GLUE 2.0 entities or attributes with no catalogue field.' },
    ),
    warnings: Type.Array(Type.String(), {
      description:
        'What was imported with a caveat, one line each as `file:line:col path: message`: every GLUE 2.0 attribute not mapped ("not mapped: ComputingShare.MappingQueue"), an unknown country recorded as ZZ, an assumed protocol.',
    }),
  },
  { additionalProperties: false },
)
export type ImportResult = Static<typeof ImportResultSchema>
export const ExportSchema = Type.Object(
  { content: Type.String({ description: 'The whole catalogue as YAML.' }) },
  { additionalProperties: false },
)
