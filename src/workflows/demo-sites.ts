/**
 * The demo as a small continuum: an infrastructure `continuum-demo` in the catalogue with two
 * catalogue sites — this workstation (compute service `demo-local`, site `local`) and a cluster
 * (`demo-slurm`, site `slurm`: a real single-node Slurm when one can run here) — a 10 Gb/s link
 * between them, a storage service at each bound to demo endpoints, and access policies and an
 * allocation that differ between them: every researcher may run on the workstation, only LOFAR
 * on the cluster and within its allocation. So `examples/two-sites.yaml` and
 * `workflow explain` show placement following data locality, policy and allocation, through
 * the same records the Plan face reads (`landscape match`, `landscape plan`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { addInfrastructure, addRecord, findRecord, getInfrastructure } from '../catalog/index.js'
import type { ComputeSite } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { buildBusyboxImage, busyboxImageMissing } from '../executors/index.js'
import { ContinuumError } from '../platform/index.js'
import { addSite, getSite } from './site-bindings.js'
import { bindStorageService } from './storage-bindings.js'
import type { LocalSlurm } from './local-slurm.js'

export const demoInfrastructure = 'continuum-demo'

/** Adds the demo's catalogue records that are missing (idempotent); run before `policy sync-access`. */
export async function ensureDemoCatalogue(ctx: Context): Promise<void> {
  try {
    await getInfrastructure(ctx, demoInfrastructure)
  } catch (err) {
    if (!(err instanceof ContinuumError) || err.code !== 'INFRASTRUCTURE_NOT_FOUND') throw err
    await addInfrastructure(ctx, {
      name: demoInfrastructure,
      title: 'Continuum demo (this machine)',
      kind: 'HPC',
      operator: 'You',
      country: 'NL',
      description: 'The demo’s own sites: this workstation and a single-node Slurm cluster.',
    })
  }
  const cores = Math.max(1, os.availableParallelism())
  const memoryPerCoreGB = Math.max(0.25, Math.floor((os.totalmem() / 2 ** 30 / cores) * 4) / 4)
  const year = ctx.clock.now().getUTCFullYear()
  const records: Array<[Parameters<typeof addRecord>[1], Record<string, unknown>]> = [
    ['site', { name: 'demo-workstation', title: 'This workstation', country: 'NL' }],
    ['site', { name: 'demo-cluster', title: 'Demo cluster (single-node Slurm)', country: 'NL' }],
    [
      'networkLink',
      {
        name: 'demo-workstation-cluster',
        from: 'demo-workstation',
        to: 'demo-cluster',
        bandwidthGbps: 10,
      },
    ],
    [
      'computeService',
      {
        name: 'demo-local',
        title: 'This workstation (local processes)',
        site: 'demo-workstation',
        batchSystem: 'local',
        cores,
        memoryPerCoreGB,
        maxWalltimeHours: 2,
        // Illustrative figures: the workstation's grid is dirtier than the cluster's.
        energy: { pue: 1.0, carbonGPerKWh: 300, renewableShare: null },
      },
    ],
    [
      'computeService',
      {
        name: 'demo-slurm',
        title: 'Demo cluster (Slurm, partition debug)',
        site: 'demo-cluster',
        batchSystem: 'slurm',
        cores: 2,
        memoryPerCoreGB: 2,
        maxWalltimeHours: 2,
        energy: { pue: 1.2, carbonGPerKWh: 50, renewableShare: null },
      },
    ],
    [
      'storageService',
      {
        name: 'demo-workstation-disk',
        title: 'Workstation disk',
        site: 'demo-workstation',
        media: 'disk',
        protocols: ['posix'],
        capacityTB: 1,
      },
    ],
    [
      'storageService',
      {
        name: 'demo-cluster-disk',
        title: 'Cluster disk',
        site: 'demo-cluster',
        media: 'disk',
        protocols: ['posix'],
        capacityTB: 1,
      },
    ],
    [
      'accessPolicy',
      {
        name: 'demo-workstation-open',
        title: 'The workstation: any researcher',
        route: 'rolling',
        services: ['demo-local', 'demo-workstation-disk', 'demo-cluster-disk'],
        eligibility: {
          anyEuropeanResearcher: true,
          communities: [],
          vos: [],
          groups: [],
          countries: [],
        },
        interactive: true,
        unattendedWorkflows: true,
      },
    ],
    [
      'accessPolicy',
      {
        name: 'demo-cluster-lofar',
        title: 'The cluster: LOFAR',
        route: 'community-membership',
        services: ['demo-slurm'],
        eligibility: {
          anyEuropeanResearcher: false,
          communities: ['lofar'],
          vos: [],
          groups: [],
          countries: [],
        },
        unattendedWorkflows: true,
      },
    ],
    [
      'allocation',
      {
        // The cluster and its disk (everything at site `demo-cluster`), for this calendar year.
        name: 'demo-cluster-lofar',
        community: 'lofar',
        services: `infra=${demoInfrastructure}&site=demo-cluster`,
        amount: 100,
        unit: 'core-hours',
        grants: [
          { unit: 'tb', amount: 1 },
          { unit: 'tb-transferred', amount: 5 },
        ],
        periodStart: `${year}-01-01`,
        periodEnd: `${year}-12-31`,
        renewable: true,
        example: true,
        description: 'EXAMPLE, the demo’s own: LOFAR’s allocation on the demo cluster.',
      },
    ],
  ]
  for (const [kind, record] of records) {
    if (await findRecord(ctx, kind, String(record.name))) continue
    const needsInfra = !['networkLink', 'allocation'].includes(kind)
    await addRecord(
      ctx,
      kind,
      needsInfra ? { infrastructure: demoInfrastructure, ...record } : record,
    )
  }
}

/**
 * Binds the workstation as site `local` (re-checked at every start) and the demo's storage
 * services to its endpoints: the workstation's disk is DESY-ZN_DATADISK (where the demo dataset
 * is), the cluster's SURF_LOFAR.
 */
export async function bindDemoWorkstation(ctx: Context, home: string): Promise<ComputeSite> {
  await bindStorageService(ctx, 'demo-workstation-disk', ['DESY-ZN_DATADISK'])
  await bindStorageService(ctx, 'demo-cluster-disk', ['SURF_LOFAR'])
  const images = demoImageStore(home)
  const account = demoJobAccount()
  const accounts = account ? { default: account } : {}
  const root = path.join(path.resolve(home), 'runs')
  // A later start keeps an unchanged binding: asking the executor again costs a quarter second
  // of the demo's start, and `continuum site add … --replace` is there to re-check it.
  const bound = await getSite(ctx, 'local').catch(() => undefined)
  if (
    bound &&
    bound.service === 'demo-local' &&
    bound.executor === 'local' &&
    bound.root === root &&
    bound.images === images &&
    JSON.stringify(bound.accounts) === JSON.stringify(accounts)
  ) {
    return bound
  }
  return addSite(
    ctx,
    {
      name: 'local',
      service: 'demo-local',
      executor: 'local',
      root,
      ...(images ? { images } : {}),
      accounts,
      replace: true,
    },
    { sitesRoot: path.join(path.resolve(home), 'runs') },
  )
}

/** Binds a running local Slurm as site `slurm` (service `demo-slurm`). */
export async function bindDemoSlurm(
  ctx: Context,
  home: string,
  slurm: LocalSlurm,
): Promise<ComputeSite> {
  return addSite(
    ctx,
    {
      name: 'slurm',
      service: 'demo-slurm',
      executor: 'slurm',
      partition: slurm.partition,
      slurmConf: slurm.conf,
      root: path.join(path.resolve(home), 'runs-slurm'),
      replace: true,
    },
    { sitesRoot: path.join(path.resolve(home), 'runs') },
  )
}

/**
 * The demo workstation's image store, `<home>/images`, holding `busybox` (tag `latest`) built
 * once from this machine's static busybox, so that `image:` tasks run out of the box
 * (examples/container.yaml). Null, and the workstation runs no images, where it cannot be built.
 */
export function demoImageStore(home: string): string | null {
  const store = path.join(path.resolve(home), 'images')
  if (existsSync(path.join(store, 'busybox', 'index.json'))) return store
  if (busyboxImageMissing() !== null) return null
  mkdirSync(store, { recursive: true, mode: 0o755 })
  buildBusyboxImage(store, 'busybox', 'latest', 'Continuum demo image (busybox)')
  return store
}

/** The unprivileged account the demo's jobs run as, made once (as root), like a pool account. */
export const demoAccount = 'continuum-jobs'

/**
 * Makes `continuum-jobs` (a system account: no home, no login) when the demo runs as root and
 * it is missing. Null where it cannot (not root, no useradd): jobs then run as `nobody`.
 */
export function demoJobAccount(): string | null {
  if (process.getuid?.() !== 0) return null
  if (spawnSync('id', ['-u', demoAccount], { stdio: 'ignore' }).status === 0) return demoAccount
  const made = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', demoAccount],
    { stdio: 'ignore' },
  )
  return made.status === 0 ? demoAccount : null
}
