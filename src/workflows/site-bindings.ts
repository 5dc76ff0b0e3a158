/**
 * Use cases of sites: a catalogue compute service bound to an executor (local or Slurm) with the
 * account each community's jobs run under, limits, the storage near it and the bandwidth to it.
 * A binding is checked before it is stored — the executor must answer and say what it offers
 * (site-probe.ts) — and only then becomes a broker candidate. `drain` stops new placements while
 * placed tasks finish; removing a site with unfinished tasks is refused.
 */
import path from 'node:path'
import { findRecord, getCommunity, type WireRecord } from '../catalog/index.js'
import type { ComputeSite, ComputeSiteCreate, ComputeSiteOffers } from '../contract/index.js'
import { getEndpoint } from '../data/index.js'
import type { Context } from '../db/index.js'
import { resolveAccount } from '../executors/index.js'
import { ContinuumError } from '../platform/index.js'
import {
  forgetCatalogueView,
  loadCatalogueView,
  type CatalogueView,
} from './catalogue-candidates.js'
import {
  countActiveTasksAt,
  deleteComputeSiteRow,
  findComputeSiteRow,
  insertComputeSiteRow,
  listComputeSiteRows,
  updateComputeSiteRow,
  type ComputeSiteRow,
} from './compute-sites-store.js'
import type { ArcSiteSettings } from './arc-site.js'
import { probeExecutor } from './site-probe.js'
import { probePaths, siteEnvironments } from './site-environments.js'
import { forgetExecutor } from './sites.js'
import { countActiveBySite } from './task-leases-store.js'

export interface SiteOptions {
  /** Where run folders of sites bound without `root` go (`<root>/<site>`). */
  sitesRoot: string
}

/** Binds a catalogue compute service to an executor, after checking that the executor answers. */
export async function addSite(
  ctx: Context,
  input: ComputeSiteCreate,
  options: SiteOptions,
): Promise<ComputeSite> {
  const service = await findRecord(ctx, 'computeService', input.service)
  if (!service) {
    throw new ContinuumError(
      'COMPUTE_SERVICE_NOT_FOUND',
      `compute service '${input.service}' is not in the catalogue`,
      { name: input.service },
    )
  }
  const name = input.name ?? service.name
  checkExecutorSettings(name, input)
  for (const community of Object.keys(input.accounts ?? {})) {
    if (community !== 'default') await getCommunity(ctx, community)
  }
  checkAccounts(name, input)
  const endpoints = [
    ...new Set([...(input.nearEndpoints ?? []), ...Object.keys(input.links ?? {})]),
  ]
  for (const e of endpoints) await getEndpoint(ctx, e)
  const existing = await findComputeSiteRow(ctx.db, name)
  if (existing && !input.replace) {
    throw new ContinuumError(
      'COMPUTE_SITE_ALREADY_EXISTS',
      `compute site '${name}' exists already (add with replace to change its binding)`,
      { name },
    )
  }
  const view = await loadCatalogueView(ctx.db)
  const declared = [...new Set(input.environments ?? [])].sort()
  const offers = await probeExecutor(
    {
      site: name,
      executor: input.executor,
      partition: input.partition ?? null,
      binDir: input.binDir ?? null,
      slurmConf: input.slurmConf ?? null,
      arc: arcSettings(input),
      images: input.images ?? null,
      environmentPaths: probePaths(view, declared),
    },
    ctx.clock.now(),
  )
  const now = ctx.clock.now()
  const config: Record<string, unknown> = {
    root: input.root ?? path.join(options.sitesRoot, name),
    ...(input.partition ? { partition: input.partition } : {}),
    ...(input.binDir ? { binDir: input.binDir } : {}),
    ...(input.images ? { images: input.images } : {}),
    ...(input.slurmConf ? { env: { SLURM_CONF: input.slurmConf } } : {}),
    ...(input.executor === 'arc' ? arcSettings(input) : {}),
    ...(input.maxTasks !== undefined
      ? { [input.executor === 'slurm' ? 'maxQueued' : 'maxInFlight']: input.maxTasks }
      : {}),
    // Read by the executors: which batch/Unix account runs each community's jobs.
    accounts: input.accounts ?? {},
  }
  const row = {
    executor: input.executor,
    batch_system: offers.batchSystem ?? input.executor,
    config: JSON.stringify(config),
    cores: Math.max(1, offers.cores),
    memory_per_core_mb: Math.max(1, Math.floor(offers.memoryMb / Math.max(1, offers.cores))),
    max_walltime_s: input.maxWalltimeS ?? null,
    container_runtimes: JSON.stringify(offers.containerRuntimes),
    attributes: JSON.stringify(input.attributes ?? {}),
    compute_service_id: service.id,
    state: existing?.state ?? 'active',
    accounts: JSON.stringify(input.accounts ?? {}),
    environments: JSON.stringify(declared),
    near_endpoints: JSON.stringify([...new Set(input.nearEndpoints ?? [])]),
    endpoint_links: JSON.stringify(input.links ?? {}),
    offers: JSON.stringify(offers),
    validated_at: now,
    updated_at: now,
  }
  await ctx.db.transaction().execute(async (tx) => {
    if (existing) await updateComputeSiteRow(tx, name, row)
    else {
      await insertComputeSiteRow(tx, {
        ...row,
        name,
        created_by: ctx.actor.principal,
        created_at: now,
      })
    }
  })
  forgetExecutor(name)
  forgetCatalogueView(ctx.db)
  return getSite(ctx, name)
}

export async function getSite(ctx: Context, name: string): Promise<ComputeSite> {
  const row = await findComputeSiteRow(ctx.db, name)
  if (!row) throw siteNotFound(name)
  const view = await loadCatalogueView(ctx.db)
  return toSite(row, view, await countActiveTasksAt(ctx.db, name))
}

export async function listSites(ctx: Context): Promise<ComputeSite[]> {
  const [rows, view, load] = await Promise.all([
    listComputeSiteRows(ctx.db),
    loadCatalogueView(ctx.db),
    countActiveBySite(ctx.db),
  ])
  return rows.map((r) => {
    const l = load.get(r.name)
    return toSite(r, view, l ? l.queued + l.running : 0)
  })
}

/** Stops new placements on a site (`draining`); placed tasks run to their end. */
export async function drainSite(ctx: Context, name: string, drain = true): Promise<ComputeSite> {
  const found = await updateComputeSiteRow(ctx.db, name, {
    state: drain ? 'draining' : 'active',
    updated_at: ctx.clock.now(),
  })
  if (!found) throw siteNotFound(name)
  forgetCatalogueView(ctx.db)
  return getSite(ctx, name)
}

/** Removes a site binding; refused while tasks placed there are unfinished. */
export async function deleteSite(ctx: Context, name: string): Promise<ComputeSite> {
  const site = await getSite(ctx, name)
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await findComputeSiteRow(tx, name, { lock: true }))) throw siteNotFound(name)
    const active = await countActiveTasksAt(tx, name)
    if (active > 0) {
      throw new ContinuumError(
        'COMPUTE_SITE_IN_USE',
        `site ${name} has ${active} unfinished task${active === 1 ? '' : 's'}: drain it (continuum site drain ${name}) and remove it once they have finished`,
        { name, activeTasks: active },
      )
    }
    await deleteComputeSiteRow(tx, name)
  })
  forgetExecutor(name)
  forgetCatalogueView(ctx.db)
  return site
}

function siteNotFound(name: string): ContinuumError {
  return new ContinuumError('COMPUTE_SITE_NOT_FOUND', `compute site '${name}' not found`, { name })
}

function toSite(row: ComputeSiteRow, view: CatalogueView, activeTasks: number): ComputeSite {
  const service: WireRecord | undefined =
    row.compute_service_id === null ? undefined : view.servicesById.get(row.compute_service_id)
  const config = row.config as Record<string, unknown>
  const offers =
    Object.keys(row.offers as object).length > 0 ? (row.offers as ComputeSiteOffers) : null
  const env = config.env as Record<string, string> | undefined
  const maxTasks = config.maxInFlight ?? config.maxQueued
  return {
    name: row.name,
    service: service?.name ?? null,
    infrastructure: service ? String(service.infrastructure) : null,
    catalogueSite: typeof service?.site === 'string' ? service.site : null,
    executor: row.executor as ComputeSite['executor'],
    state: row.state as ComputeSite['state'],
    root: typeof config.root === 'string' ? config.root : null,
    partition: typeof config.partition === 'string' ? config.partition : null,
    binDir: typeof config.binDir === 'string' ? config.binDir : null,
    images: typeof config.images === 'string' ? config.images : null,
    slurmConf: env?.SLURM_CONF ?? null,
    endpoint: typeof config.endpoint === 'string' ? config.endpoint : null,
    accounts: row.accounts as Record<string, string>,
    maxTasks: typeof maxTasks === 'number' ? maxTasks : null,
    maxWalltimeS: row.max_walltime_s,
    nearEndpoints: row.near_endpoints as string[],
    links: row.endpoint_links as Record<string, number>,
    environments: siteEnvironments(
      {
        executor: row.executor,
        declared: row.environments as string[],
        found: offers?.environments ?? [],
        service: service?.name ?? null,
      },
      view,
    ),
    declaredEnvironments: row.environments as string[],
    offers,
    attributes: row.attributes as Record<string, string | number | boolean>,
    activeTasks,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/**
 * Local and Slurm jobs run as the Unix accounts the binding names, which must exist here (an
 * ARC CE maps grid identities to its own accounts: there they are the CE's business).
 */
function checkAccounts(name: string, input: ComputeSiteCreate): void {
  if (input.executor === 'arc') return
  for (const [community, account] of Object.entries(input.accounts ?? {})) {
    try {
      resolveAccount(account)
    } catch (err) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `site ${name}: ${community}'s jobs would run as '${account}', ${err instanceof Error ? err.message.replace(/^there is /, 'but there is ') : String(err)}`,
        { field: 'accounts', community, account },
      )
    }
  }
}

const slurmOnly = ['binDir', 'slurmConf'] as const
const localOnly = ['images'] as const
const arcOnly = ['endpoint', 'caFile', 'certFile', 'keyFile', 'tokenFile'] as const

/** Each executor takes its own settings; another's is a mistake worth saying, not ignoring. */
function checkExecutorSettings(name: string, input: ComputeSiteCreate): void {
  const foreign: readonly (keyof ComputeSiteCreate)[] =
    input.executor === 'local'
      ? [...slurmOnly, ...arcOnly, 'partition']
      : input.executor === 'slurm'
        ? [...arcOnly, ...localOnly]
        : [...slurmOnly, ...localOnly]
  for (const key of foreign) {
    if (input[key] !== undefined) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `${key} is not a setting of the ${input.executor} executor (site ${name})`,
        { field: key },
      )
    }
  }
  if (input.executor === 'arc') {
    if (!input.endpoint) {
      throw new ContinuumError('VALIDATION_FAILED', `site ${name}: an ARC CE needs its endpoint`, {
        field: 'endpoint',
      })
    }
    if (!input.tokenFile && !(input.certFile && input.keyFile)) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `site ${name}: an ARC CE needs a tokenFile, or a certFile and keyFile`,
        { field: 'certFile' },
      )
    }
  }
}

/** The ARC settings kept in the binding's config: file paths, read when the executor starts. */
function arcSettings(input: ComputeSiteCreate): ArcSiteSettings | undefined {
  if (input.executor !== 'arc' || !input.endpoint) return undefined
  return {
    endpoint: input.endpoint,
    ...(input.caFile ? { caFile: input.caFile } : {}),
    ...(input.certFile ? { certFile: input.certFile } : {}),
    ...(input.keyFile ? { keyFile: input.keyFile } : {}),
    ...(input.tokenFile ? { tokenFile: input.tokenFile } : {}),
    ...(input.partition ? { queue: input.partition } : {}),
  }
}
