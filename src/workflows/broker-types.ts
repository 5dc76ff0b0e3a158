/**
 * What the broker works on and answers with: compute candidates (the catalogue's compute
 * services with their load, allocations and bindings), the task's needs, and the placement with
 * its reasons. The decisions are in broker.ts.
 */
import type { SiteAttributes } from './site-expression.js'

export const batchSystems = ['slurm', 'htcondor', 'kubernetes', 'pbs', 'cloud', 'local'] as const
export type BatchSystem = (typeof batchSystems)[number]

/** A compute service the broker may place on; the catalogue's compute services map onto it. */
export interface ComputeCandidate {
  name: string
  batchSystem: BatchSystem
  cores: number
  memoryPerCoreMb: number
  accelerators: { model: string; count: number } | null
  maxWalltimeS: number | null
  interactive: boolean
  containerRuntimes: string[]
  /** Grid carbon intensity at the site, where known. */
  energyGCo2PerKwh: number | null
  /** Power drawn per busy core, for energy estimates. */
  wattsPerCore: number
  /** Free-form attributes for pin/exclude expressions (country, tier, infra …). */
  attributes: SiteAttributes
  executor: { kind: 'local' | 'slurm' | 'arc'; config: Record<string, unknown> }
  queued: number
  running: number
  /** Core-hours left here for every community; null when unlimited (sites outside the catalogue). */
  allocationLeftCoreHours: number | null
  /** The catalogue compute service this candidate is (null: a site configured only for workflows). */
  service?: string | null
  /** The catalogue site hosting it, for data locality and network links. */
  siteName?: string | null
  /**
   * Core-hours left per community from the catalogue's allocations on this service. A community
   * missing from a non-null map has no allocation here; null: the service keeps no allocations.
   */
  allocations?: ReadonlyMap<string, number> | null
  /**
   * False when only example allocations (the demo's) cover this service: they limit the
   * communities holding them but do not close the service to others. Absent: true.
   */
  allocationsExclusive?: boolean
  /** Per community, the allocation its tasks here are charged to (the one with the most room). */
  allocationCharges?: ReadonlyMap<string, AllocationCharge> | null
  /** Software environments the catalogue lists for this service; null when not known. */
  environments?: readonly string[] | null
  /** Bandwidth (Gb/s) from the candidate's site to other catalogue sites (lower-case names). */
  linksGbps?: ReadonlyMap<string, number>
  /** Storage endpoints the site's binding names as near it. */
  nearEndpoints?: readonly string[]
  /** Bandwidth (Gb/s) from the site to storage endpoints, from its binding. */
  endpointLinksGbps?: ReadonlyMap<string, number>
  /** Draining: tasks placed here finish, no new ones are placed. */
  draining?: boolean
}

/** The allocation a community's task on a candidate is charged to, and in which unit. */
export interface AllocationCharge {
  allocation: string
  unit: string
  /** Left of it now, and granted, in unit. */
  left: number
  amount: number
}

/** Supplies the candidates; the lead adapts this to the catalogue's compute services. */
export type CandidateProvider = () => Promise<ComputeCandidate[]>

/**
 * Whether `community` (and `owner`) may use `candidate` under the access policy: true, or false
 * or the reason it may not.
 */
export type UsePredicate = (
  community: string | null,
  candidate: ComputeCandidate,
  owner?: string | null,
) => boolean | string

export interface LocalityEstimate {
  /** Bytes of the task's inputs already at storage near the candidate's site. */
  nearBytes: number
  totalBytes: number
  /** Seconds to bring the rest over the known network links; null when no link is known. */
  transferS?: number | null
}

/** Why `community` may use `candidate` (the deciding policy), for the chosen site's reasons. */
export type UseExplainer = (
  community: string | null,
  candidate: ComputeCandidate,
  owner?: string | null,
) => string | null

/** Where a task's inputs are relative to a candidate; the data federation plugs in. */
export interface LocalityEstimator {
  (inputs: readonly string[], candidate: ComputeCandidate): LocalityEstimate
  /**
   * The sites (catalogue site names, lower case) and storage endpoints holding any of the
   * inputs: a candidate near none of them gains nothing from locality. Lets the broker examine
   * those first and stop early; without it every candidate is scored.
   */
  near?(inputs: readonly string[]): { sites: ReadonlySet<string>; endpoints: ReadonlySet<string> }
}

export interface BrokerTask {
  name: string
  community: string | null
  owner?: string | null
  /** A named software environment from the catalogue, if the task asks for one. */
  environment?: string | null
  cores: number
  memoryMb: number
  walltimeS: number
  accelerators: { model: string | null; count: number } | null
  image: string | null
  inputs: string[]
  /** Sites allowed by the pin expression (null = any) and excluded by the exclude expression. */
  pinned: Set<string> | null
  excluded: Set<string> | null
}

export interface PlacementDecision {
  site: string
  eligible: boolean
  score: number | null
  reasons: string[]
}

export interface Placement {
  site: string | null
  decisions: PlacementDecision[]
  /** Why no site was chosen, when none was. */
  summary: string
  /**
   * No site now, but a draining site could take the task once it is back: the task waits
   * instead of failing (an operator's maintenance should not fail users' workflows).
   */
  wait?: boolean
}

export interface BrokerOptions {
  mayUse?: UsePredicate
  /** Says which policy allowed the chosen site (asked once per placement, not per candidate). */
  explainUse?: UseExplainer
  locality?: LocalityEstimator
  /** How many rejected and runner-up sites to keep in the record (all when few). */
  keep?: number
}
