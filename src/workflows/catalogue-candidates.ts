/**
 * The adapter from the catalogue to the broker. A catalogue compute service becomes a place a
 * task can run when a compute site (its executor binding: local or Slurm settings, in
 * compute_sites) is linked to it; the candidate then takes everything else from the catalogue:
 * cores, memory, accelerators, walltime, container runtimes, energy and carbon figures, the
 * software environments listed for it, its site (for data locality and network links) and the
 * communities' allocations on it, less what their tasks have used in the allocation's period.
 */
import {
  listAllocationServices,
  listAllRecords,
  type CoveredService,
  type WireRecord,
} from '../catalog/index.js'
import type { Context, Executor as Db } from '../db/index.js'
import { allocationBalances, type AllocationBalances } from './allocation-balance.js'
import type { AllocationCharge, BatchSystem, ComputeCandidate } from './broker.js'
import type { ComputeSiteRow } from './compute-sites-store.js'
import type { SiteAttributes } from './site-expression.js'

/** The catalogue records the broker reads, fetched together and reused for a short while. */
export interface CatalogueView {
  servicesById: Map<string, WireRecord>
  sitesByName: Map<string, WireRecord>
  /** Software environment names per compute service name. */
  environments: Map<string, string[]>
  /** Each software environment's reference (a CVMFS path, an image, a module), by name. */
  environmentRefs: Map<string, string>
  allocations: WireRecord[]
  /** Compute and storage services with the facts allocation expressions match on, by name. */
  coveredServices: Map<string, CoveredService>
  /** Bandwidth between two catalogue sites, both directions, keyed `from\u0000to`. */
  linkGbps: Map<string, number>
}

const views = new WeakMap<Db, { at: number; view: Promise<CatalogueView> }>()
/** The catalogue changes by hand, seldom: re-read it at most this often, not every engine round. */
const viewTtlMs = 2000

export function loadCatalogueView(db: Db): Promise<CatalogueView> {
  const cached = views.get(db)
  if (cached && Date.now() - cached.at < viewTtlMs) return cached.view
  const view = readView(db)
  views.set(db, { at: Date.now(), view })
  view.catch(() => views.delete(db))
  return view
}

/** Forgets the cached catalogue (tests and `compute-site put`). */
export function forgetCatalogueView(db: Db): void {
  views.delete(db)
}

async function readView(db: Db): Promise<CatalogueView> {
  const [services, sites, environments, allocations, links, covered] = await Promise.all([
    listAllRecords(db, 'computeService'),
    listAllRecords(db, 'site'),
    listAllRecords(db, 'softwareEnvironment'),
    listAllRecords(db, 'allocation'),
    listAllRecords(db, 'networkLink'),
    listAllocationServices(db),
  ])
  const envs = new Map<string, string[]>()
  const refs = new Map<string, string>()
  for (const e of environments) {
    if (typeof e.reference === 'string') refs.set(e.name, e.reference)
    for (const s of (e.computeServices as string[] | undefined) ?? []) {
      envs.set(s, [...(envs.get(s) ?? []), e.name])
    }
  }
  const linkGbps = new Map<string, number>()
  for (const l of links) {
    const gbps = Number(l.bandwidthGbps)
    const from = String(l.from)
    const to = String(l.to)
    for (const key of [`${from}\u0000${to}`, `${to}\u0000${from}`]) {
      linkGbps.set(key, Math.max(gbps, linkGbps.get(key) ?? 0))
    }
  }
  return {
    servicesById: new Map(services.map((s) => [s.id, s])),
    sitesByName: new Map(sites.map((s) => [s.name, s])),
    environments: envs,
    environmentRefs: refs,
    allocations,
    coveredServices: new Map(covered.filter((c) => c.type === 'compute').map((c) => [c.name, c])),
    linkGbps,
  }
}

interface Energy {
  pue?: number | null
  carbonGPerKWh?: number | null
}

/** The broker candidate of a compute site bound to catalogue compute service `s`. */
export function serviceCandidate(
  row: ComputeSiteRow,
  s: WireRecord,
  view: CatalogueView,
  load: { queued: number; running: number },
  allocations: ReadonlyMap<string, number> | null,
  allocationCharges: ReadonlyMap<string, AllocationCharge> | null = null,
): ComputeCandidate {
  const site = typeof s.site === 'string' ? view.sitesByName.get(s.site) : undefined
  const accelerators = (s.accelerators as Array<{ model: string; count: number }>) ?? []
  const biggest = accelerators.reduce<{ model: string; count: number } | null>(
    (best, a) => (best === null || a.count > best.count ? a : best),
    null,
  )
  const energy = (s.energy as Energy | undefined) ?? null
  const memoryGb = s.memoryPerCoreGB as number | null
  const walltimeH = s.maxWalltimeHours as number | null
  const attributes: SiteAttributes = {
    ...flat(site?.attributes),
    ...flat(s.attributes),
    ...flat(row.attributes),
    ...(site ? { site: site.name, country: String(site.country) } : {}),
    ...(site && site.tier !== null ? { tier: Number(site.tier) } : {}),
    service: s.name,
    infrastructure: String(s.infrastructure),
    batch: String(s.batchSystem),
    executor: row.executor,
    cores: Number(s.cores),
  }
  return {
    name: row.name,
    batchSystem: s.batchSystem as BatchSystem,
    cores: Number(s.cores),
    memoryPerCoreMb: memoryGb === null ? row.memory_per_core_mb : Math.floor(memoryGb * 1024),
    accelerators: biggest === null ? null : { model: biggest.model, count: biggest.count },
    maxWalltimeS: walltimeH === null ? null : Math.floor(walltimeH * 3600),
    interactive: s.interactive === true,
    // What the bound executor can run (its check at binding), not what the catalogue says the
    // service has: an image runs only where Continuum's executor can unpack and confine it.
    containerRuntimes: (row.container_runtimes as string[] | null) ?? [],
    energyGCo2PerKwh: energy?.carbonGPerKWh ?? row.energy_g_co2_per_kwh,
    // The facility's overhead (PUE) is drawn too when a core is busy.
    wattsPerCore: Number(row.watts_per_core) * (energy?.pue ?? 1),
    attributes,
    executor: {
      kind: row.executor as 'local' | 'slurm' | 'arc',
      config: row.config as Record<string, unknown>,
    },
    queued: load.queued,
    running: load.running,
    allocationLeftCoreHours: null,
    service: s.name,
    siteName: site?.name ?? null,
    allocations,
    allocationCharges,
    environments: view.environments.get(s.name) ?? [],
    linksGbps: site ? linksFrom(view, site.name) : new Map(),
  }
}

function linksFrom(view: CatalogueView, site: string): Map<string, number> {
  const out = new Map<string, number>()
  const prefix = `${site}\u0000`
  for (const [key, gbps] of view.linkGbps) {
    if (key.startsWith(prefix)) out.set(key.slice(prefix.length).toLowerCase(), gbps)
  }
  return out
}

function flat(value: unknown): SiteAttributes {
  if (value === null || typeof value !== 'object') return {}
  const out: SiteAttributes = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      out[k] = v as string | number | boolean | null
    }
  }
  return out
}

/**
 * What is left of the communities' allocations on each bound service and which allocation a
 * task there is charged to; a service no compute allocation covers is absent (unlimited). See
 * allocation-balance.ts.
 */
export function allocationBalancesOf(
  ctx: Context,
  view: CatalogueView,
  bound: Array<{ candidate: string; service: string }>,
): Promise<AllocationBalances> {
  return allocationBalances(ctx, view.allocations, view.coveredServices, bound)
}
