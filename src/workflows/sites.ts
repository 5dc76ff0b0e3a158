/**
 * Compute sites: the executor bindings (local or Slurm settings) of the places tasks can run,
 * each either linked to a catalogue compute service — which then supplies its figures, see
 * catalogue-candidates.ts — or standing alone with its own figures (the demo's `local` site,
 * tests). Turned into broker candidates with their current load and allocation.
 */
import { findRecord, type WireRecord } from '../catalog/index.js'
import type { Context } from '../db/index.js'
import { LocalExecutor, SlurmExecutor, type Executor } from '../executors/index.js'
import { ContinuumError } from '../platform/index.js'
import { arcExecutor } from './arc-site.js'
import type { BatchSystem, CandidateProvider, ComputeCandidate } from './broker.js'
import {
  allocationBalancesOf,
  forgetCatalogueView,
  loadCatalogueView,
  serviceCandidate,
  type CatalogueView,
} from './catalogue-candidates.js'
import {
  listComputeSiteRows,
  sumCoreHoursBySite,
  upsertComputeSiteRow,
  type ComputeSiteRow,
} from './compute-sites-store.js'
import { siteEnvironments } from './site-environments.js'
import type { SiteAttributes } from './site-expression.js'
import { countActiveBySite } from './task-leases-store.js'

export interface ComputeSiteInput {
  name: string
  executor: 'local' | 'slurm' | 'arc'
  /**
   * The catalogue compute service this site runs the jobs of (name or id). Its figures then
   * come from the catalogue; the ones given here are used only while it is unlinked.
   */
  computeService?: string | null
  batchSystem?: BatchSystem
  /** Executor settings: `root` (run folders), and for Slurm `partition`, `binDir`, `env`. */
  config?: Record<string, unknown>
  cores: number
  memoryPerCoreMb: number
  accelerators?: { model: string; count: number } | null
  maxWalltimeS?: number | null
  containerRuntimes?: string[]
  energyGCo2PerKwh?: number | null
  wattsPerCore?: number
  attributes?: SiteAttributes
  allocationCoreHours?: number | null
  /** Software environments this site offers (names or paths), besides those found on it. */
  environments?: string[]
}

/** Adds or replaces a compute site. */
export async function putComputeSite(ctx: Context, s: ComputeSiteInput): Promise<void> {
  let serviceId: string | null = null
  if (s.computeService) {
    const service = await findRecord(ctx, 'computeService', s.computeService)
    if (!service) {
      throw new ContinuumError(
        'COMPUTE_SERVICE_NOT_FOUND',
        `compute service '${s.computeService}' is not in the catalogue`,
        { name: s.computeService },
      )
    }
    serviceId = service.id
  }
  const now = ctx.clock.now()
  await upsertComputeSiteRow(ctx.db, {
    name: s.name,
    executor: s.executor,
    batch_system: s.batchSystem ?? s.executor,
    config: JSON.stringify(s.config ?? {}),
    cores: s.cores,
    memory_per_core_mb: s.memoryPerCoreMb,
    accelerator_model: s.accelerators?.model ?? null,
    accelerator_count: s.accelerators?.count ?? 0,
    max_walltime_s: s.maxWalltimeS ?? null,
    container_runtimes: JSON.stringify(s.containerRuntimes ?? []),
    energy_g_co2_per_kwh: s.energyGCo2PerKwh ?? null,
    watts_per_core: s.wattsPerCore ?? 10,
    attributes: JSON.stringify(s.attributes ?? {}),
    allocation_core_hours: s.allocationCoreHours ?? null,
    compute_service_id: serviceId,
    environments: JSON.stringify(s.environments ?? []),
    accounts: '{}',
    near_endpoints: '[]',
    endpoint_links: '{}',
    offers: '{}',
    created_by: ctx.actor.principal,
    created_at: now,
    updated_at: now,
  })
  forgetExecutor(s.name)
  forgetCatalogueView(ctx.db)
}

/** Every compute site as a broker candidate: catalogue-linked ones with the catalogue's figures. */
export async function listComputeSites(ctx: Context): Promise<ComputeCandidate[]> {
  const rows = await listComputeSiteRows(ctx.db)
  const load = await countActiveBySite(ctx.db)
  const linked = rows.filter((r) => r.compute_service_id !== null)
  const view = await loadCatalogueView(ctx.db)
  const bound: Array<{ row: ComputeSiteRow; service: WireRecord }> = []
  for (const r of linked) {
    const service = view.servicesById.get(r.compute_service_id as string)
    if (service) bound.push({ row: r, service })
  }
  const balances = await allocationBalancesOf(
    ctx,
    view,
    bound.map((b) => ({ candidate: b.row.name, service: b.service.name })),
  )
  // Only unlinked sites with their own allocation need their usage summed.
  const limited = rows
    .filter((r) => r.compute_service_id === null && r.allocation_core_hours !== null)
    .map((r) => r.name)
  const usedBySite = await sumCoreHoursBySite(ctx.db, limited)
  const out: ComputeCandidate[] = []
  for (const r of rows) {
    const l = load.get(r.name) ?? { queued: 0, running: 0 }
    const b = bound.find((x) => x.row === r)
    let c: ComputeCandidate | null = null
    if (b) {
      c = {
        ...serviceCandidate(
          r,
          b.service,
          view,
          l,
          balances.left.get(r.name) ?? null,
          balances.charge.get(r.name) ?? null,
        ),
        allocationsExclusive: balances.exclusive.has(r.name),
      }
    } else if (r.compute_service_id === null) {
      c = standaloneCandidate(r, l, usedBySite.get(r.name) ?? 0)
    }
    if (c) out.push(withBinding(c, r, view, b?.service.name ?? null))
    // A site whose service left the catalogue offers nothing until it is linked again.
  }
  return out
}

/** What the binding adds to either kind of candidate: state, environments, near storage, limits. */
function withBinding(
  c: ComputeCandidate,
  r: ComputeSiteRow,
  view: CatalogueView,
  service: string | null,
): ComputeCandidate {
  const offers = r.offers as { environments?: string[] }
  const limit = r.max_walltime_s
  return {
    ...c,
    draining: r.state === 'draining',
    environments: siteEnvironments(
      {
        executor: r.executor,
        declared: r.environments as string[],
        found: offers.environments ?? [],
        service,
      },
      view,
    ),
    nearEndpoints: r.near_endpoints as string[],
    endpointLinksGbps: new Map(Object.entries(r.endpoint_links as Record<string, number>)),
    // The binding may set a tighter walltime than the catalogue's figure for the service.
    maxWalltimeS:
      limit === null
        ? c.maxWalltimeS
        : c.maxWalltimeS === null
          ? limit
          : Math.min(limit, c.maxWalltimeS),
  }
}

function standaloneCandidate(
  r: ComputeSiteRow,
  load: { queued: number; running: number },
  usedCoreHours: number,
): ComputeCandidate {
  return {
    name: r.name,
    batchSystem: r.batch_system as BatchSystem,
    cores: r.cores,
    memoryPerCoreMb: r.memory_per_core_mb,
    accelerators:
      r.accelerator_model === null || r.accelerator_count === 0
        ? null
        : { model: r.accelerator_model, count: r.accelerator_count },
    maxWalltimeS: r.max_walltime_s,
    interactive: r.interactive,
    containerRuntimes: r.container_runtimes as string[],
    energyGCo2PerKwh: r.energy_g_co2_per_kwh,
    wattsPerCore: Number(r.watts_per_core),
    attributes: {
      ...(r.attributes as SiteAttributes),
      batch: r.batch_system,
      executor: r.executor,
      cores: r.cores,
    },
    executor: {
      kind: r.executor as 'local' | 'slurm' | 'arc',
      config: r.config as Record<string, unknown>,
    },
    queued: load.queued,
    running: load.running,
    allocationLeftCoreHours:
      r.allocation_core_hours === null ? null : Number(r.allocation_core_hours) - usedCoreHours,
  }
}

/** The provider the engine uses by default: the configured compute sites. */
export function computeSitesProvider(ctx: Context): CandidateProvider {
  return () => listComputeSites(ctx)
}

export type ExecutorFactory = (site: ComputeCandidate) => Executor

const executors = new Map<string, Executor>()
const factories = new Map<string, ExecutorFactory>()

/** Lets a backend register itself (Slurm does, so this file need not import it). */
export function registerExecutorFactory(kind: string, factory: ExecutorFactory): void {
  factories.set(kind, factory)
}

registerExecutorFactory('local', (site) => {
  const root = site.executor.config.root
  if (typeof root !== 'string') {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `compute site ${site.name}: config.root (run folder) is required`,
      { site: site.name },
    )
  }
  const maxInFlight = site.executor.config.maxInFlight
  const images = site.executor.config.images
  const accounts = accountsOf(site.executor.config)
  return new LocalExecutor({
    root,
    cores: site.cores,
    memoryMb: site.cores * site.memoryPerCoreMb,
    ...(typeof images === 'string' ? { images } : {}),
    ...(accounts ? { accounts } : {}),
    ...(typeof maxInFlight === 'number' ? { maxInFlight } : {}),
  })
})

registerExecutorFactory('arc', (site) => {
  const maxInFlight = site.executor.config.maxInFlight
  return arcExecutor(
    site.name,
    site.executor.config,
    typeof maxInFlight === 'number' ? maxInFlight : undefined,
  )
})

registerExecutorFactory('slurm', (site) => {
  const c = site.executor.config
  if (typeof c.root !== 'string') {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `compute site ${site.name}: config.root (shared run folder) is required`,
      { site: site.name },
    )
  }
  return new SlurmExecutor({
    root: c.root,
    ...(typeof c.partition === 'string' ? { partition: c.partition } : {}),
    ...(typeof c.binDir === 'string' ? { binDir: c.binDir } : {}),
    ...(typeof c.maxQueued === 'number' ? { maxQueued: c.maxQueued } : {}),
    ...(typeof c.pollIntervalMs === 'number' ? { pollIntervalMs: c.pollIntervalMs } : {}),
    ...(c.env && typeof c.env === 'object' ? { env: c.env as Record<string, string> } : {}),
    ...(accountsOf(c) ? { accounts: accountsOf(c) as Record<string, string> } : {}),
  })
})

/** The binding's Unix account per community, when it names any. */
function accountsOf(config: Record<string, unknown>): Record<string, string> | undefined {
  const a = config.accounts
  if (!a || typeof a !== 'object' || Object.keys(a).length === 0) return undefined
  return a as Record<string, string>
}

/** One executor per site per process: the local one holds this process's queue. */
export function executorFor(site: ComputeCandidate): Executor {
  let executor = executors.get(site.name)
  if (!executor) {
    const factory = factories.get(site.executor.kind)
    if (!factory) {
      throw new ContinuumError(
        'EXECUTOR_UNAVAILABLE',
        `no executor of kind '${site.executor.kind}' (site ${site.name})`,
        { site: site.name },
      )
    }
    executor = factory(site)
    executors.set(site.name, executor)
  }
  return executor
}

/** Forgets a site's cached executor (its binding changed or went). */
export function forgetExecutor(name: string): void {
  executors.get(name)?.release?.()
  executors.delete(name)
}

/** Forgets cached executors (tests that recreate sites under the same name). */
export function resetExecutors(): void {
  for (const executor of executors.values()) executor.release?.()
  executors.clear()
}
