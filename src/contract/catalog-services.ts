/**
 * Wire contract of the landscape catalogue beyond communities and infrastructures: sites,
 * compute services, storage services, software environments, network links, access policies
 * (D5.2), allocations, and the communities' working groups and members (D3.1).
 *
 * Every record has a unique lower-case `name` (members: unique within their community) and
 * refers to other records by name. Numbers carry their unit in the field name
 * (`memoryPerCoreGB`, `maxWalltimeHours`); YAML files may also write them as quantities
 * (`72 h`, `2 TB`) which the importer converts.
 *
 * The shape of compute and storage services is relied on by the workflow broker and the data
 * federation: extend it, do not rename fields.
 */
import {
  DescriptionSchema,
  IdSchema,
  NameSchema,
  Nullable,
  StringEnum,
  TimestampSchema,
  TitleSchema,
  Type,
  UrlSchema,
  type Static,
  type TSchema,
} from './common.js'

const Source = Nullable(
  Type.String({ ...UrlSchema, description: 'Public page the facts come from.' }),
)
const Ref = (what: string) => Type.String({ ...NameSchema, description: `Name of the ${what}.` })
const NullableRef = (what: string) =>
  Nullable(Type.String({ ...NameSchema, description: `Name of the ${what}, or null.` }))
const RefList = (what: string) =>
  Type.Array(Ref(what), { maxItems: 500, uniqueItems: true, description: `Names of ${what}s.` })
const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 1e12, description })
const Amount = (description: string) => Type.Number({ minimum: 0, maximum: 1e15, description })
const Country = Type.String({
  pattern: '^[A-Z]{2}$',
  description: "ISO 3166-1 alpha-2 code, or 'EU'.",
})
const Flag = (description: string) => Type.Boolean({ description })
/** `key=value` attributes, as Rucio RSE attributes: keys lower-case, values short text. */
export const AttributesSchema = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,62}$' }),
  Type.String({ maxLength: 200 }),
  {
    maxProperties: 64,
    description: 'key=value attributes (e.g. tier=1, country=DE).',
  },
)

export const batchSystems = ['slurm', 'htcondor', 'kubernetes', 'pbs', 'cloud', 'local'] as const
export type BatchSystem = (typeof batchSystems)[number]
export const containerRuntimes = [
  'apptainer',
  'docker',
  'podman',
  'charliecloud',
  'sarus',
  'enroot',
  'shifter',
] as const
export const storageProtocols = ['posix', 'https', 'davs', 'root', 's3'] as const
export type StorageProtocol = (typeof storageProtocols)[number]
export const storageMedia = ['disk', 'tape', 'object'] as const
export const softwareKinds = ['container', 'cvmfs', 'modules', 'conda'] as const
export const accessRoutes = [
  'peer-reviewed-call',
  'rolling',
  'preparatory',
  'community-membership',
  'commercial',
  'national',
] as const
export type AccessRoute = (typeof accessRoutes)[number]
export const allocationUnits = [
  'core-hours',
  'node-hours',
  'gpu-hours',
  'tb',
  'tb-tape',
  'tb-years',
  'tb-transferred',
  'vm-hours',
  'fair-share',
] as const
export const memberRoles = [
  'coordinator',
  'member',
  'site-liaison',
  'working-group-lead',
  'observer',
] as const
export const userInterfaces = [
  'ssh',
  'jupyter',
  'web-portal',
  'rest-api',
  'grid-middleware',
  'cloud-api',
] as const

/** An accelerator a compute service offers: model, per-node count and memory. */
export const AcceleratorSchema = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      maxLength: 60,
      description: 'Vendor model, e.g. "NVIDIA A100", "AMD MI250X".',
    }),
    count: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      description: 'Number of devices in the service.',
    }),
    memoryGB: Nullable(
      Type.Number({ minimum: 0, maximum: 10_000, description: 'Memory per device (GB).' }),
    ),
  },
  { additionalProperties: false },
)
export type Accelerator = Static<typeof AcceleratorSchema>

/** Energy and carbon figures of the site hosting a compute service, where published. */
export const EnergySchema = Type.Object(
  {
    pue: Nullable(
      Type.Number({ minimum: 1, maximum: 5, description: 'Power usage effectiveness.' }),
    ),
    carbonGPerKWh: Nullable(
      Type.Number({ minimum: 0, maximum: 2000, description: 'Grid carbon intensity (gCO2e/kWh).' }),
    ),
    renewableShare: Nullable(
      Type.Number({ minimum: 0, maximum: 1, description: 'Share of renewable electricity (0–1).' }),
    ),
  },
  { additionalProperties: false },
)

/** Fields every kind's create schema shares; `required` fields must be given, `optional` have defaults. */
function kind<R extends Record<string, TSchema>, O extends Record<string, TSchema>>(
  required: R,
  optional: O,
) {
  const opt = Object.fromEntries(
    Object.entries(optional).map(([k, v]) => [k, Type.Optional(v)]),
  ) as { [K in keyof O]: ReturnType<typeof Type.Optional<O[K]>> }
  const create = Type.Object(
    { name: NameSchema, ...required, ...opt },
    { additionalProperties: false },
  )
  const record = Type.Object(
    {
      id: IdSchema,
      name: NameSchema,
      ...required,
      ...optional,
      createdAt: TimestampSchema,
      updatedAt: TimestampSchema,
    },
    { additionalProperties: false },
  )
  const update = Type.Partial(Type.Object({ ...required, ...optional }))
  // Partial drops object options; an empty patch or an unknown field must still be refused.
  Object.assign(update, { additionalProperties: false, minProperties: 1 })
  return { create, record, update }
}

export const Site = kind(
  { title: TitleSchema, infrastructure: Ref('infrastructure'), country: Country },
  {
    city: Nullable(Type.String({ maxLength: 100 })),
    tier: Nullable(Type.Integer({ minimum: 0, maximum: 3, description: 'WLCG tier, if any.' })),
    attributes: AttributesSchema,
    description: DescriptionSchema,
    source: Source,
  },
)

export const ComputeService = kind(
  {
    title: TitleSchema,
    infrastructure: Ref('infrastructure'),
    batchSystem: StringEnum(batchSystems, { description: batchSystems.join(' | ') }),
    cores: Count('Total CPU cores.'),
  },
  {
    site: NullableRef('site'),
    memoryPerCoreGB: Nullable(
      Type.Number({ minimum: 0, maximum: 10_000, description: 'Memory per core (GB).' }),
    ),
    accelerators: Type.Array(AcceleratorSchema, { maxItems: 20 }),
    maxWalltimeHours: Nullable(
      Type.Number({
        minimum: 0,
        maximum: 1e6,
        description:
          'Longest job allowed (hours); null when not published, or unlimited for cloud VMs (batchSystem cloud).',
      }),
    ),
    interactive: Flag('Interactive sessions (shells, notebooks) supported.'),
    containerRuntimes: Type.Array(StringEnum(containerRuntimes), {
      uniqueItems: true,
      maxItems: 10,
    }),
    networkEgressGbps: Nullable(
      Type.Number({ minimum: 0, maximum: 1e6, description: 'External network capacity (Gb/s).' }),
    ),
    energy: Nullable(Type.Object(EnergySchema.properties, { additionalProperties: false })),
    attributes: AttributesSchema,
    description: DescriptionSchema,
    source: Source,
  },
)

export const StorageService = kind(
  {
    title: TitleSchema,
    infrastructure: Ref('infrastructure'),
    media: StringEnum(storageMedia, { description: 'disk | tape | object' }),
    protocols: Type.Array(StringEnum(storageProtocols), {
      minItems: 1,
      uniqueItems: true,
      maxItems: 5,
    }),
  },
  {
    site: NullableRef('site'),
    capacityTB: Nullable(Type.Number({ minimum: 0, maximum: 1e9, description: 'Capacity (TB).' })),
    attributes: AttributesSchema,
    description: DescriptionSchema,
    source: Source,
  },
)

export const SoftwareEnvironment = kind(
  {
    title: TitleSchema,
    kind: StringEnum(softwareKinds, { description: softwareKinds.join(' | ') }),
    reference: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'Image, repository or module name, e.g. /cvmfs/atlas.cern.ch.',
    }),
  },
  { computeServices: RefList('compute service'), description: DescriptionSchema, source: Source },
)

export const NetworkLink = kind(
  {
    from: Ref('site'),
    to: Ref('site'),
    bandwidthGbps: Type.Number({ minimum: 0, maximum: 1e6, description: 'Bandwidth (Gb/s).' }),
  },
  {
    latencyMs: Nullable(
      Type.Number({ minimum: 0, maximum: 10_000, description: 'Round-trip latency (ms).' }),
    ),
    description: DescriptionSchema,
    source: Source,
  },
)

/** Who may use a policy's resources, machine-readable so that it compiles to Cedar. */
export const EligibilitySchema = Type.Object(
  {
    anyEuropeanResearcher: Flag(
      'Open to researchers at any institution in the EU or associated countries.',
    ),
    communities: RefList('communit'),
    vos: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      maxItems: 200,
      uniqueItems: true,
      description: 'Virtual organisations (e.g. atlas, cms, lofar).',
    }),
    groups: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 200,
      uniqueItems: true,
      description: 'Token groups (WLCG profile), e.g. /atlas/production.',
    }),
    countries: Type.Array(Country, {
      maxItems: 60,
      uniqueItems: true,
      description: 'Researchers of these countries only (national routes); empty = no restriction.',
    }),
  },
  { additionalProperties: false },
)
export type Eligibility = Static<typeof EligibilitySchema>

export const AccessPolicy = kind(
  {
    title: TitleSchema,
    infrastructure: Ref('infrastructure'),
    route: StringEnum(accessRoutes, { description: accessRoutes.join(' | ') }),
  },
  {
    services: Type.Array(Ref('compute or storage service'), {
      maxItems: 500,
      uniqueItems: true,
      description: 'Services the policy covers; empty = all of the infrastructure.',
    }),
    eligibility: Type.Object(EligibilitySchema.properties, { additionalProperties: false }),
    allocationUnit: Nullable(StringEnum(allocationUnits)),
    typicalSize: Nullable(Amount('Typical allocation, in allocationUnit.')),
    periodMonths: Nullable(
      Type.Integer({ minimum: 1, maximum: 240, description: 'Allocation period (months).' }),
    ),
    renewable: Flag('Allocations can be renewed without a new competitive proposal.'),
    multiYear: Flag('Allocations can span several years.'),
    acceptedAai: Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,40}$' }), {
      maxItems: 20,
      uniqueItems: true,
      description:
        'Identity providers accepted, e.g. egi-checkin, myaccessid, eduteams, indigo-iam, local.',
    }),
    crossInfrastructure: Flag('The allocation may be used on other infrastructures.'),
    interactive: Flag('Interactive access is part of the allocation.'),
    unattendedWorkflows: Flag(
      'Long-running unattended workflows (pilots, robot certificates or tokens) are allowed.',
    ),
    userInterfaces: Type.Array(StringEnum(userInterfaces), { uniqueItems: true, maxItems: 6 }),
    feedbackLoop: Flag(
      'The provider runs a planning/feedback process with communities (e.g. WLCG pledges, user forums).',
    ),
    description: DescriptionSchema,
    source: Source,
  },
)

/** One more amount an allocation grants besides its main `amount` in `unit`. */
export const AllocationGrantSchema = Type.Object(
  { unit: StringEnum(allocationUnits), amount: Amount('Granted amount, in unit.') },
  { additionalProperties: false },
)

export const Allocation = kind(
  {
    community: Ref('community'),
    amount: Amount('Granted amount, in unit.'),
    unit: StringEnum(allocationUnits),
  },
  {
    service: NullableRef(
      'one compute or storage service (the same as services `name=<service>`); give this or services',
    ),
    services: Nullable(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description:
          'Expression over the catalogue services the allocation may be used on, in the grammar of endpoint expressions: `infra=lumi|infra=leonardo`, `country=DE&kind=HTC`.',
      }),
    ),
    grants: Type.Array(AllocationGrantSchema, {
      maxItems: 10,
      description:
        'Further amounts granted besides amount/unit (GPU-hours, TB on disk or tape, TB transferred).',
    }),
    renewable: Flag('The allocation can be renewed for another period.'),
    example: Flag('An example shipped with the demo data, not a real grant.'),
    policy: NullableRef('access policy'),
    periodStart: Nullable(Type.String({ format: 'date' })),
    periodEnd: Nullable(Type.String({ format: 'date' })),
    used: Amount('Used so far, in unit.'),
    description: DescriptionSchema,
    source: Source,
  },
)

export const WorkingGroup = kind(
  { title: TitleSchema, community: Ref('community') },
  { description: DescriptionSchema, source: Source },
)

export const CommunityMember = kind(
  { community: Ref('community'), displayName: Type.String({ minLength: 1, maxLength: 200 }) },
  {
    email: Nullable(Type.String({ format: 'email', maxLength: 254 })),
    affiliation: Nullable(Type.String({ maxLength: 200 })),
    roles: Type.Array(StringEnum(memberRoles), { uniqueItems: true, maxItems: 5 }),
    workingGroups: RefList('working group'),
  },
)

export type Site = Static<typeof Site.record>
export type SiteCreate = Static<typeof Site.create>
export type ComputeService = Static<typeof ComputeService.record>
export type ComputeServiceCreate = Static<typeof ComputeService.create>
export type StorageService = Static<typeof StorageService.record>
export type StorageServiceCreate = Static<typeof StorageService.create>
export type SoftwareEnvironment = Static<typeof SoftwareEnvironment.record>
export type NetworkLink = Static<typeof NetworkLink.record>
export type AccessPolicy = Static<typeof AccessPolicy.record>
export type AccessPolicyCreate = Static<typeof AccessPolicy.create>
export type Allocation = Static<typeof Allocation.record>
export type WorkingGroup = Static<typeof WorkingGroup.record>
export type CommunityMember = Static<typeof CommunityMember.record>

export const RecordListQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 500,
        default: 50,
        description: 'Items per page (1–500).',
      }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 512, description: 'The `next` value of the previous page.' }),
    ),
    q: Type.Optional(
      Type.String({ maxLength: 100, description: 'Case-insensitive substring of the name.' }),
    ),
    infrastructure: Type.Optional(NameSchema),
    community: Type.Optional(NameSchema),
  },
  { additionalProperties: false },
)
export type RecordListQuery = Static<typeof RecordListQuerySchema>
