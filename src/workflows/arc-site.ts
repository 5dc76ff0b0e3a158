/**
 * A site bound to an ARC CE: its settings (the REST endpoint and the files holding the CA, the
 * client certificate and key, or a token), the check made before binding — the CE answers with
 * our credentials and describes itself in GLUE2 (CPUs, the batch system behind it) — and the
 * executor the engine uses. Credentials are read from their files when the executor starts, so
 * the binding stores paths, never secrets.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ComputeSiteOffers } from '../contract/index.js'
import { ArcExecutor, type ArcCredentials } from '../executors/index.js'
import { ContinuumError } from '../platform/index.js'

export interface ArcSiteSettings {
  endpoint: string
  caFile?: string
  certFile?: string
  keyFile?: string
  tokenFile?: string
  queue?: string
}

function readSecret(site: string, file: string, what: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `site ${site}: cannot read the ARC CE ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { site, file },
    )
  }
}

export function arcCredentials(site: string, s: ArcSiteSettings): ArcCredentials {
  return {
    ...(s.caFile ? { ca: readSecret(site, s.caFile, 'CA file') } : {}),
    ...(s.certFile ? { cert: readSecret(site, s.certFile, 'certificate') } : {}),
    ...(s.keyFile ? { key: readSecret(site, s.keyFile, 'key') } : {}),
    ...(s.tokenFile
      ? { token: readSecret(site, s.tokenFile, 'token').toString('utf8').trim() }
      : {}),
  }
}

/** GLUE2 names of the batch systems behind a CE, as the broker calls them. */
const lrmsNames: Array<[RegExp, ComputeSiteOffers['batchSystem']]> = [
  [/slurm/i, 'slurm'],
  [/condor/i, 'htcondor'],
  [/pbs|torque/i, 'pbs'],
  [/fork/i, 'local'],
]

/** Asks the CE, with the binding's credentials, who it is; a refusal or silence stops the binding. */
export async function probeArc(
  site: string,
  settings: ArcSiteSettings,
  now: Date,
): Promise<ComputeSiteOffers> {
  const executor = new ArcExecutor({
    endpoint: settings.endpoint,
    credentials: arcCredentials(site, settings),
    root: path.join('/nonexistent', site),
    timeoutMs: 15_000,
    probeOnly: true,
  })
  try {
    // Listing our jobs proves the CE lets these credentials in; info alone is often public.
    await executor.client.list()
    const info = await executor.client.serviceInfo()
    const cpus = Number(findKey(info, 'TotalLogicalCPUs') ?? findKey(info, 'TotalSlots') ?? 0)
    const found = findKey(info, 'ProductName')
    const product = typeof found === 'string' ? found : ''
    const batch = lrmsNames.find(([re]) => re.test(product))?.[1]
    return {
      cores: Number.isFinite(cpus) && cpus > 0 ? cpus : 1,
      memoryMb: Number(findKey(info, 'MaxMainMemory') ?? 0) || 2048,
      partitions: [],
      environments: [],
      containerRuntimes: [],
      ...(batch ? { batchSystem: batch } : {}),
      checkedAt: now.toISOString(),
    }
  } finally {
    executor.close()
  }
}

/** The first value under `key` anywhere in a GLUE2 document (its nesting varies by CE). */
function findKey(value: unknown, key: string, depth = 0): unknown {
  if (depth > 12 || value === null || typeof value !== 'object') return undefined
  if (!Array.isArray(value) && key in value) return (value as Record<string, unknown>)[key]
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const found = findKey(v, key, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

export function arcExecutor(
  site: string,
  config: Record<string, unknown>,
  maxInFlight: number | undefined,
): ArcExecutor {
  if (typeof config.endpoint !== 'string' || typeof config.root !== 'string') {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `compute site ${site}: an ARC CE needs config.endpoint and config.root`,
      { site },
    )
  }
  const settings = config as unknown as ArcSiteSettings
  return new ArcExecutor({
    endpoint: settings.endpoint,
    credentials: arcCredentials(site, settings),
    root: config.root,
    ...(settings.queue ? { queue: settings.queue } : {}),
    ...(maxInFlight ? { maxInFlight } : {}),
  })
}
