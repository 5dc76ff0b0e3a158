/**
 * Asks an executor what it offers before a binding is stored, so that a site nobody can reach
 * never becomes a broker candidate: the local machine answers with its cores and memory from
 * the OS and the software environments (CVMFS repositories) mounted here; a Slurm cluster with
 * `sinfo` and `scontrol show partition` (the partition must exist and be up).
 */
import { execFile } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ComputeSiteOffers } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { probeArc, type ArcSiteSettings } from './arc-site.js'

export interface ProbeTarget {
  site: string
  executor: 'local' | 'slurm' | 'arc'
  partition?: string | null
  binDir?: string | null
  slurmConf?: string | null
  /** The ARC CE to ask (its REST interface), for `arc`. */
  arc?: ArcSiteSettings | undefined
  /** A local site's image store: images run only where one is bound (see oci-images.ts). */
  images?: string | null
  /** Paths of software environments to look for (e.g. `/cvmfs/atlas.cern.ch`), by name. */
  environmentPaths: ReadonlyMap<string, string>
}

/** A Slurm command must answer within this; a hung controller is unreachable. */
const commandTimeoutMs = 15_000

export async function probeExecutor(target: ProbeTarget, now: Date): Promise<ComputeSiteOffers> {
  if (target.executor === 'arc') {
    if (!target.arc) {
      throw new ContinuumError('VALIDATION_FAILED', `site ${target.site}: no ARC CE endpoint`, {})
    }
    return probeArc(target.site, target.arc, now)
  }
  return target.executor === 'local' ? probeLocal(target, now) : probeSlurm(target, now)
}

function probeLocal(target: ProbeTarget, now: Date): ComputeSiteOffers {
  return {
    cores: Math.max(1, os.availableParallelism()),
    memoryMb: Math.floor(os.totalmem() / 1024 / 1024),
    partitions: [],
    environments: presentEnvironments(target.environmentPaths),
    containerRuntimes: imageRuntime(target.images ?? null),
    checkedAt: now.toISOString(),
  }
}

/**
 * Images run where there is a store to take them from and the executor can unpack and confine
 * them (umoci and bubblewrap); a store that is not a folder is a binding mistake.
 */
function imageRuntime(store: string | null): string[] {
  if (store === null) return []
  if (!existsSync(store) || !statSync(store).isDirectory()) {
    throw new ContinuumError('VALIDATION_FAILED', `image store ${store} is not a folder here`, {
      field: 'images',
    })
  }
  const missing = ['/usr/bin/umoci', '/usr/bin/bwrap'].filter((f) => !existsSync(f))
  if (missing.length > 0) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `images need ${missing.join(' and ')} on this machine (apt-get install umoci bubblewrap)`,
      { field: 'images' },
    )
  }
  return ['oci']
}

/**
 * The environments whose path exists here. A CVMFS repository is mounted on demand by autofs,
 * so its top folder is stat'ed, not listed.
 */
function presentEnvironments(paths: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const [name, p] of paths) {
    if (!path.isAbsolute(p)) continue
    try {
      if (statSync(p).isDirectory()) out.push(name)
    } catch {
      // Not mounted here.
    }
  }
  return out.sort()
}

async function probeSlurm(target: ProbeTarget, now: Date): Promise<ComputeSiteOffers> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' }
  if (target.slurmConf) env.SLURM_CONF = target.slurmConf
  else if (process.env.SLURM_CONF) env.SLURM_CONF = process.env.SLURM_CONF
  const bin = (name: string) => (target.binDir ? path.join(target.binDir, name) : name)
  // %P partition (default marked *), %a availability, %D nodes, %C cpus A/I/O/T, %l time limit
  const sinfo = await run(bin('sinfo'), ['-h', '-o', '%P|%a|%D|%C|%l'], env, target.site)
  const partitions = sinfo
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [name = '', state = '', nodes = '0', cpus = '', limit = ''] = line.split('|')
      const total = Number(cpus.split('/')[3] ?? 0)
      return {
        name: name.replace(/\*$/, ''),
        isDefault: name.endsWith('*'),
        state,
        nodes: Number(nodes) || 0,
        cpus: Number.isFinite(total) ? total : 0,
        maxTimeS: slurmDuration(limit),
      }
    })
  const chosen = target.partition
    ? partitions.find((p) => p.name === target.partition)
    : (partitions.find((p) => p.isDefault) ?? partitions[0])
  if (!chosen) {
    throw new ContinuumError(
      'EXECUTOR_UNAVAILABLE',
      target.partition
        ? `Slurm of site ${target.site} has no partition '${target.partition}' (it has: ${partitions.map((p) => p.name).join(', ') || 'none'})`
        : `Slurm of site ${target.site} lists no partition`,
      { site: target.site },
    )
  }
  if (chosen.state !== 'up') {
    throw new ContinuumError(
      'EXECUTOR_UNAVAILABLE',
      `partition ${chosen.name} of site ${target.site} is ${chosen.state}, not up`,
      { site: target.site, partition: chosen.name },
    )
  }
  // scontrol tells the memory the partition's nodes have (sinfo's %m is per node).
  const detail = await run(
    bin('scontrol'),
    ['-o', 'show', 'partition', chosen.name],
    env,
    target.site,
  )
  const memoryMb = await nodeMemoryMb(detail, env, bin, target.site)
  return {
    cores: chosen.cpus,
    memoryMb,
    partitions: partitions.map(({ isDefault: _d, ...p }) => p),
    environments: [],
    containerRuntimes: [],
    checkedAt: now.toISOString(),
  }
}

async function nodeMemoryMb(
  partition: string,
  env: Record<string, string>,
  bin: (name: string) => string,
  site: string,
): Promise<number> {
  const nodes = /(?:^|\s)Nodes=(\S+)/.exec(partition)?.[1]
  if (!nodes || nodes === '(null)') return 0
  const shown = await run(bin('scontrol'), ['-o', 'show', 'node', nodes], env, site)
  let total = 0
  for (const m of shown.matchAll(/RealMemory=(\d+)/g)) total += Number(m[1])
  return total
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  site: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env, timeout: commandTimeoutMs, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const said = String(stderr).trim().split('\n')[0] ?? ''
          reject(
            new ContinuumError(
              'EXECUTOR_UNAVAILABLE',
              `site ${site}: ${path.basename(cmd)} failed: ${said || err.message}`,
              { site, command: path.basename(cmd) },
              { cause: err },
            ),
          )
          return
        }
        resolve(String(stdout))
      },
    )
  })
}

/** Slurm's time limit (`UNLIMITED`, `mm`, `hh:mm:ss`, `d-hh:mm:ss`) in seconds; null: none. */
export function slurmDuration(text: string): number | null {
  const t = text.trim()
  if (t === '' || t === 'UNLIMITED' || t === 'infinite' || t === 'NONE') return null
  const [days, rest] = t.includes('-') ? (t.split('-') as [string, string]) : ['0', t]
  const parts = rest.split(':').map(Number)
  if (parts.some((n) => !Number.isFinite(n))) return null
  let s = 0
  if (parts.length === 1) s = (parts[0] ?? 0) * 60
  else if (parts.length === 2) s = (parts[0] ?? 0) * 60 + (parts[1] ?? 0)
  else s = (parts[0] ?? 0) * 3600 + (parts[1] ?? 0) * 60 + (parts[2] ?? 0)
  return Number(days) * 86400 + s
}
