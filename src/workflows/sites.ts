/**
 * Compute sites this installation can run tasks on (the `compute_sites` table), turned into
 * broker candidates with their current load and allocation, and the executor of each site.
 * The catalogue's compute services replace the table as the candidate source at merge.
 */
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import type { Context, Executor as Db } from '../db/index.js'
import { LocalExecutor, SlurmExecutor, type Executor } from '../executors/index.js'
import { ContinuumError } from '../platform/index.js'
import type { BatchSystem, CandidateProvider, ComputeCandidate } from './broker.js'
import type { SiteAttributes } from './site-expression.js'
import { countActiveBySite } from './task-leases-store.js'

export interface ComputeSiteInput {
  name: string
  executor: 'local' | 'slurm'
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
}

/** Adds or replaces a compute site. */
export async function putComputeSite(ctx: Context, s: ComputeSiteInput): Promise<void> {
  const now = ctx.clock.now()
  const row = {
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
    created_at: now,
    updated_at: now,
  }
  const { name: _n, created_at: _c, ...changes } = row
  await ctx.db
    .insertInto('compute_sites')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet(changes))
    .execute()
  executors.delete(s.name)
}

/** The demo's site: this machine, running tasks as local processes under `<home>/runs`. */
export async function ensureDemoSites(ctx: Context, options: { home: string }): Promise<void> {
  const found = await ctx.db
    .selectFrom('compute_sites')
    .select('name')
    .where('name', '=', 'local')
    .executeTakeFirst()
  if (found) return
  const cores = Math.max(1, os.availableParallelism())
  await putComputeSite(ctx, {
    name: 'local',
    executor: 'local',
    config: { root: path.join(path.resolve(options.home), 'runs') },
    cores,
    memoryPerCoreMb: Math.max(256, Math.floor(os.totalmem() / 1024 / 1024 / cores)),
    attributes: { tier: 3 },
  })
}

export async function listComputeSites(db: Db): Promise<ComputeCandidate[]> {
  const rows = await db.selectFrom('compute_sites').selectAll().orderBy('name').execute()
  const load = await countActiveBySite(db)
  // Only sites with an allocation need their usage summed (a scan of usage_records otherwise).
  const limited = rows.filter((r) => r.allocation_core_hours !== null).map((r) => r.name)
  const used =
    limited.length === 0
      ? { rows: [] as Array<{ site: string; core_hours: number }> }
      : await sql<{ site: string; core_hours: number }>`
          select site, coalesce(sum(cores * wall_s), 0) / 3600.0 as core_hours
          from usage_records where site in (${sql.join(limited)}) group by site`.execute(db)
  const usedBySite = new Map(used.rows.map((r) => [r.site, Number(r.core_hours)]))
  return rows.map((r) => {
    const attributes = {
      ...(r.attributes as SiteAttributes),
      batch: r.batch_system,
      executor: r.executor,
      cores: r.cores,
    }
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
      attributes,
      executor: {
        kind: r.executor as 'local' | 'slurm',
        config: r.config as Record<string, unknown>,
      },
      queued: load.get(r.name)?.queued ?? 0,
      running: load.get(r.name)?.running ?? 0,
      allocationLeftCoreHours:
        r.allocation_core_hours === null
          ? null
          : Number(r.allocation_core_hours) - (usedBySite.get(r.name) ?? 0),
    }
  })
}

/** The provider the engine uses by default: the configured compute sites. */
export function computeSitesProvider(ctx: Context): CandidateProvider {
  return () => listComputeSites(ctx.db)
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
  return new LocalExecutor({
    root,
    cores: site.cores,
    memoryMb: site.cores * site.memoryPerCoreMb,
    ...(typeof maxInFlight === 'number' ? { maxInFlight } : {}),
  })
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
  })
})

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

/** Forgets cached executors (tests that recreate sites under the same name). */
export function resetExecutors(): void {
  executors.clear()
}
