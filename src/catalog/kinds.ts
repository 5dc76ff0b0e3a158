/**
 * The landscape's record kinds, described once: table, wire schemas, columns, references and
 * defaults. The generic store (records-store.ts) and use cases (records.ts), the API routes,
 * the client and the YAML importer are all driven by these descriptors, so that ten kinds of
 * record behave the same way (names, paging, references, errors) without ten copies of code.
 */
import {
  AccessPolicy,
  Allocation,
  CommunityMember,
  ComputeService,
  KnowledgeDocument,
  NetworkLink,
  Site,
  SoftwareEnvironment,
  StorageService,
  UseCase,
  WorkingGroup,
  type TSchema,
} from '../contract/index.js'
import type { ErrorCode } from '../platform/index.js'

export type ColumnType = 'text' | 'num' | 'bool' | 'json' | 'ref'
export type RefTable = 'infrastructures' | 'communities' | 'sites' | 'access_policies'

export interface FieldSpec {
  field: string
  column: string
  type: ColumnType
  /** For `ref` columns: the table whose `name` the wire value is. */
  ref?: RefTable
  /** Value stored when the create request leaves the field out; undefined = required. */
  default?: unknown
  /**
   * Kept as the key `_<field>` inside the jsonb column `column` (shared with a json field of
   * the same name) rather than in a column of its own: lets a record gain a small field without
   * a schema migration. Stripped from the host field on the wire.
   */
  packed?: boolean
}

/** A list of names inside a record that must name existing records of one of `tables`. */
export interface NameCheck {
  path: string
  names: string[]
  tables: string[]
}

export interface KindSpec {
  kind: string
  /** URL segment and YAML key stem, e.g. `compute-services`. */
  plural: string
  /** YAML key of the kind in catalogue files, e.g. `computeServices`. */
  key: string
  label: string
  table: string
  notFound: ErrorCode
  exists: ErrorCode
  schemas: { create: TSchema; record: TSchema; update: TSchema }
  fields: FieldSpec[]
  /** Filters a listing may apply: query parameter → ref column. */
  filters: Partial<Record<'infrastructure' | 'community', string>>
  /** Names inside jsonb (and text) fields that must exist; checked on every write. */
  nameChecks?: (record: Record<string, unknown>) => NameCheck[]
  /** Fields of this kind that other kinds' jsonb name lists point at (checked on delete). */
  /** Set when names are unique only within the community (members). */
  scopedByCommunity?: boolean
  /** Where a kind is exported in catalogue files (dependencies first). */
  order: number
}

const snake = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
const f = (field: string, type: ColumnType, dflt?: unknown): FieldSpec => ({
  field,
  column: snake(field),
  type,
  ...(dflt === undefined ? {} : { default: dflt }),
})
const ref = (field: string, table: RefTable, dflt?: null): FieldSpec => ({
  field,
  column: `${snake(field)}_id`,
  type: 'ref',
  ref: table,
  ...(dflt === undefined ? {} : { default: dflt }),
})
/** A field stored inside the jsonb column `host` (see FieldSpec.packed). */
const packed = (field: string, host: string): FieldSpec => ({
  field,
  column: host,
  type: 'json',
  default: null,
  packed: true,
})
const described = [f('description', 'text', ''), f('source', 'text', null)]
const services = ['compute_services', 'storage_services']

export const kinds = {
  site: {
    kind: 'site',
    plural: 'sites',
    key: 'sites',
    label: 'site',
    table: 'sites',
    notFound: 'SITE_NOT_FOUND',
    exists: 'SITE_ALREADY_EXISTS',
    schemas: Site,
    order: 1,
    fields: [
      f('title', 'text'),
      ref('infrastructure', 'infrastructures'),
      f('country', 'text'),
      f('city', 'text', null),
      f('tier', 'num', null),
      f('attributes', 'json', {}),
      ...described,
    ],
    filters: { infrastructure: 'infrastructure_id' },
  },
  computeService: {
    kind: 'computeService',
    plural: 'compute-services',
    key: 'computeServices',
    label: 'compute service',
    table: 'compute_services',
    notFound: 'COMPUTE_SERVICE_NOT_FOUND',
    exists: 'COMPUTE_SERVICE_ALREADY_EXISTS',
    schemas: ComputeService,
    order: 2,
    fields: [
      f('title', 'text'),
      ref('infrastructure', 'infrastructures'),
      ref('site', 'sites', null),
      f('batchSystem', 'text'),
      f('cores', 'num'),
      f('memoryPerCoreGB', 'num', null),
      f('accelerators', 'json', []),
      f('maxWalltimeHours', 'num', null),
      f('interactive', 'bool', false),
      f('containerRuntimes', 'json', []),
      f('networkEgressGbps', 'num', null),
      f('energy', 'json', null),
      f('attributes', 'json', {}),
      ...described,
    ],
    filters: { infrastructure: 'infrastructure_id' },
  },
  storageService: {
    kind: 'storageService',
    plural: 'storage-services',
    key: 'storageServices',
    label: 'storage service',
    table: 'storage_services',
    notFound: 'STORAGE_SERVICE_NOT_FOUND',
    exists: 'STORAGE_SERVICE_ALREADY_EXISTS',
    schemas: StorageService,
    order: 3,
    fields: [
      f('title', 'text'),
      ref('infrastructure', 'infrastructures'),
      ref('site', 'sites', null),
      f('media', 'text'),
      f('protocols', 'json'),
      f('capacityTB', 'num', null),
      f('attributes', 'json', {}),
      ...described,
    ],
    filters: { infrastructure: 'infrastructure_id' },
  },
  softwareEnvironment: {
    kind: 'softwareEnvironment',
    plural: 'software-environments',
    key: 'softwareEnvironments',
    label: 'software environment',
    table: 'software_environments',
    notFound: 'SOFTWARE_ENVIRONMENT_NOT_FOUND',
    exists: 'SOFTWARE_ENVIRONMENT_ALREADY_EXISTS',
    schemas: SoftwareEnvironment,
    order: 4,
    fields: [
      f('title', 'text'),
      f('kind', 'text'),
      f('reference', 'text'),
      f('computeServices', 'json', []),
      ...described,
    ],
    filters: {},
    nameChecks: (r) => [
      {
        path: 'computeServices',
        names: (r.computeServices as string[] | undefined) ?? [],
        tables: ['compute_services'],
      },
    ],
  },
  networkLink: {
    kind: 'networkLink',
    plural: 'network-links',
    key: 'networkLinks',
    label: 'network link',
    table: 'network_links',
    notFound: 'NETWORK_LINK_NOT_FOUND',
    exists: 'NETWORK_LINK_ALREADY_EXISTS',
    schemas: NetworkLink,
    order: 5,
    fields: [
      ref('from', 'sites'),
      ref('to', 'sites'),
      f('bandwidthGbps', 'num'),
      f('latencyMs', 'num', null),
      ...described,
    ],
    filters: {},
  },
  accessPolicy: {
    kind: 'accessPolicy',
    plural: 'access-policies',
    key: 'accessPolicies',
    label: 'access policy',
    table: 'access_policies',
    notFound: 'ACCESS_POLICY_NOT_FOUND',
    exists: 'ACCESS_POLICY_ALREADY_EXISTS',
    schemas: AccessPolicy,
    order: 6,
    fields: [
      f('title', 'text'),
      ref('infrastructure', 'infrastructures'),
      f('route', 'text'),
      f('services', 'json', []),
      f('eligibility', 'json', {
        anyEuropeanResearcher: false,
        communities: [],
        vos: [],
        groups: [],
        countries: [],
      }),
      f('allocationUnit', 'text', null),
      f('typicalSize', 'num', null),
      f('periodMonths', 'num', null),
      f('renewable', 'bool', false),
      f('multiYear', 'bool', false),
      f('acceptedAai', 'json', []),
      f('crossInfrastructure', 'bool', false),
      f('interactive', 'bool', false),
      f('unattendedWorkflows', 'bool', false),
      f('userInterfaces', 'json', []),
      f('feedbackLoop', 'bool', false),
      ...described,
    ],
    filters: { infrastructure: 'infrastructure_id' },
    nameChecks: (r) => [
      { path: 'services', names: (r.services as string[] | undefined) ?? [], tables: services },
      {
        path: 'eligibility.communities',
        names: (r.eligibility as { communities?: string[] } | undefined)?.communities ?? [],
        tables: ['communities'],
      },
    ],
  },
  allocation: {
    kind: 'allocation',
    plural: 'allocations',
    key: 'allocations',
    label: 'allocation',
    table: 'allocations',
    notFound: 'ALLOCATION_NOT_FOUND',
    exists: 'ALLOCATION_ALREADY_EXISTS',
    schemas: Allocation,
    order: 9,
    fields: [
      ref('community', 'communities'),
      f('service', 'text', null),
      f('services', 'text', null),
      f('amount', 'num'),
      f('unit', 'text'),
      f('grants', 'json', []),
      f('renewable', 'bool', false),
      f('example', 'bool', false),
      ref('policy', 'access_policies', null),
      f('periodStart', 'text', null),
      f('periodEnd', 'text', null),
      f('used', 'num', 0),
      ...described,
    ],
    filters: { community: 'community_id' },
    nameChecks: (r) =>
      typeof r.service === 'string'
        ? [{ path: 'service', names: [r.service], tables: services }]
        : [],
  },
  workingGroup: {
    kind: 'workingGroup',
    plural: 'working-groups',
    key: 'workingGroups',
    label: 'working group',
    table: 'working_groups',
    notFound: 'WORKING_GROUP_NOT_FOUND',
    exists: 'WORKING_GROUP_ALREADY_EXISTS',
    schemas: WorkingGroup,
    order: 7,
    fields: [f('title', 'text'), ref('community', 'communities'), ...described],
    filters: { community: 'community_id' },
  },
  communityMember: {
    kind: 'communityMember',
    plural: 'community-members',
    key: 'members',
    label: 'community member',
    table: 'community_members',
    notFound: 'MEMBER_NOT_FOUND',
    exists: 'MEMBER_ALREADY_EXISTS',
    schemas: CommunityMember,
    order: 8,
    fields: [
      ref('community', 'communities'),
      f('displayName', 'text'),
      f('email', 'text', null),
      f('affiliation', 'text', null),
      f('roles', 'json', []),
      f('workingGroups', 'json', []),
    ],
    filters: { community: 'community_id' },
    scopedByCommunity: true,
    nameChecks: (r) => [
      {
        path: 'workingGroups',
        names: (r.workingGroups as string[] | undefined) ?? [],
        tables: ['working_groups'],
      },
    ],
  },
  useCase: {
    kind: 'useCase',
    plural: 'use-cases',
    key: 'useCases',
    label: 'use case',
    table: 'use_cases',
    notFound: 'USE_CASE_NOT_FOUND',
    exists: 'USE_CASE_ALREADY_EXISTS',
    schemas: UseCase,
    order: 10,
    fields: [
      f('title', 'text'),
      ref('community', 'communities'),
      f('field', 'text', null),
      f('status', 'text', 'draft'),
      // Provenance and review travel in the profile's jsonb column (no migration needed).
      packed('citation', 'profile'),
      packed('estimates', 'profile'),
      packed('reviewer', 'profile'),
      packed('reviewedAt', 'profile'),
      f('profile', 'json', {}),
      ...described,
    ],
    filters: { community: 'community_id' },
  },
  document: {
    kind: 'document',
    plural: 'documents',
    key: 'documents',
    label: 'document',
    table: 'knowledge_documents',
    notFound: 'DOCUMENT_NOT_FOUND',
    exists: 'DOCUMENT_ALREADY_EXISTS',
    schemas: KnowledgeDocument,
    order: 11,
    fields: [
      f('title', 'text'),
      f('url', 'text', null),
      f('text', 'text', ''),
      f('tags', 'json', []),
      f('links', 'json', { useCases: [], infrastructures: [], gaps: [] }),
      f('source', 'text', null),
    ],
    filters: {},
    nameChecks: (r) => {
      const links = r.links as { useCases?: string[]; infrastructures?: string[] } | undefined
      return [
        { path: 'links.useCases', names: links?.useCases ?? [], tables: ['use_cases'] },
        {
          path: 'links.infrastructures',
          names: links?.infrastructures ?? [],
          tables: ['infrastructures'],
        },
      ]
    },
  },
} as const satisfies Record<string, KindSpec>

export type KindName = keyof typeof kinds
export const kindNames = Object.keys(kinds) as KindName[]
export const kindSpec = (kind: KindName): KindSpec => kinds[kind]

/** jsonb name lists that point at a table, so deleting a record they name is refused. */
export const nameListReferences: Array<{
  from: KindName
  column: string
  jsonPath: string[]
  table: string
}> = [
  {
    from: 'softwareEnvironment',
    column: 'compute_services',
    jsonPath: [],
    table: 'compute_services',
  },
  { from: 'accessPolicy', column: 'services', jsonPath: [], table: 'compute_services' },
  { from: 'accessPolicy', column: 'services', jsonPath: [], table: 'storage_services' },
  { from: 'accessPolicy', column: 'eligibility', jsonPath: ['communities'], table: 'communities' },
  { from: 'communityMember', column: 'working_groups', jsonPath: [], table: 'working_groups' },
  { from: 'document', column: 'links', jsonPath: ['useCases'], table: 'use_cases' },
  { from: 'document', column: 'links', jsonPath: ['infrastructures'], table: 'infrastructures' },
]
