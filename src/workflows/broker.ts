/**
 * The broker: for a ready task, the compute services that can run it (resources, environment,
 * policy, allocation, pin/exclude) ranked by data locality, load and energy, with the reasons
 * for every decision kept so that `continuum workflow explain` can show them.
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
  executor: { kind: 'local' | 'slurm'; config: Record<string, unknown> }
  queued: number
  running: number
  /** Core-hours left in the community's allocation here; null when unlimited. */
  allocationLeftCoreHours: number | null
}

/** Supplies the candidates; the lead adapts this to the catalogue's compute services. */
export type CandidateProvider = () => Promise<ComputeCandidate[]>

/** Whether `community` may use `candidate` (allocations and access policy). */
export type UsePredicate = (community: string | null, candidate: ComputeCandidate) => boolean

/** Bytes of a task's inputs already near a site, out of the total; the data federation plugs in. */
export type LocalityEstimator = (
  inputs: readonly string[],
  site: string,
) => { nearBytes: number; totalBytes: number }

export interface BrokerTask {
  name: string
  community: string | null
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
}

export interface BrokerOptions {
  mayUse?: UsePredicate
  locality?: LocalityEstimator
  /** How many rejected and runner-up sites to keep in the record (all when few). */
  keep?: number
}

const allowAll: UsePredicate = () => true

/** Picks the best site for `task`; linear in the number of candidates. */
export function placeTask(
  task: BrokerTask,
  candidates: readonly ComputeCandidate[],
  options: BrokerOptions = {},
): Placement {
  const mayUse = options.mayUse ?? allowAll
  const keep = options.keep ?? 10
  const rejected: Array<[ComputeCandidate, string]> = []
  const scored: Array<[ComputeCandidate, number]> = []
  for (const c of candidates) {
    const why = rejection(task, c, mayUse)
    if (why === null) scored.push([c, score(task, c, options.locality)])
    else rejected.push([c, why])
  }
  scored.sort((a, b) => b[1] - a[1] || a[0].name.localeCompare(b[0].name))
  const decisions: PlacementDecision[] = scored.slice(0, keep).map(([c, s], i) => ({
    site: c.name,
    eligible: true,
    score: round(s),
    reasons: [
      i === 0 ? 'chosen: best score' : `runner-up #${i + 1}`,
      ...explainScore(task, c, options.locality),
    ],
  }))
  for (const [c, why] of rejected.slice(0, keep)) {
    decisions.push({ site: c.name, eligible: false, score: null, reasons: [why] })
  }
  const best = scored[0]
  if (best) {
    return {
      site: best[0].name,
      decisions,
      summary: `placed on ${best[0].name} (${scored.length} eligible of ${candidates.length})`,
    }
  }
  const counts = new Map<string, number>()
  for (const [, why] of rejected) {
    counts.set(
      why.replace(/\(.*\)/, '').trim(),
      (counts.get(why.replace(/\(.*\)/, '').trim()) ?? 0) + 1,
    )
  }
  const summary =
    candidates.length === 0
      ? 'no compute sites are configured'
      : `no eligible site among ${candidates.length}: ${[...counts].map(([w, n]) => `${n}× ${w}`).join('; ')}`
  return { site: null, decisions, summary }
}

function rejection(task: BrokerTask, c: ComputeCandidate, mayUse: UsePredicate): string | null {
  if (task.pinned && !task.pinned.has(c.name)) return 'not selected by the site expression'
  if (task.excluded?.has(c.name)) return 'excluded by the exclude expression'
  if (task.cores > c.cores) return `too few cores (${c.cores} < ${task.cores})`
  if (task.memoryMb > c.cores * c.memoryPerCoreMb) {
    return `too little memory (${c.cores * c.memoryPerCoreMb} MiB < ${task.memoryMb} MiB)`
  }
  if (c.maxWalltimeS !== null && task.walltimeS > c.maxWalltimeS) {
    return `walltime above the limit (${c.maxWalltimeS} s < ${task.walltimeS} s)`
  }
  const acc = task.accelerators
  if (acc) {
    if (!c.accelerators || c.accelerators.count < acc.count) {
      return `too few accelerators (${c.accelerators?.count ?? 0} < ${acc.count})`
    }
    if (acc.model !== null && c.accelerators.model.toLowerCase() !== acc.model.toLowerCase()) {
      return `accelerator model ${c.accelerators.model} is not ${acc.model}`
    }
  }
  if (task.image !== null && c.containerRuntimes.length === 0) {
    return 'no container runtime for the image'
  }
  if (c.allocationLeftCoreHours !== null && c.allocationLeftCoreHours <= 0) {
    return 'allocation exhausted (0 core-hours left)'
  }
  if (!mayUse(task.community, c)) {
    return `policy does not let ${task.community ?? 'this community'} use it`
  }
  return null
}

/** Higher is better: locality dominates, then load, then carbon intensity. */
function score(
  task: BrokerTask,
  c: ComputeCandidate,
  locality: LocalityEstimator | undefined,
): number {
  let s = 0
  if (locality && task.inputs.length > 0) {
    const { nearBytes, totalBytes } = locality(task.inputs, c.name)
    if (totalBytes > 0) s += 100 * (nearBytes / totalBytes)
  }
  s -= 20 * ((c.queued + c.running) / c.cores)
  if (c.energyGCo2PerKwh !== null) s -= c.energyGCo2PerKwh / 100
  return s
}

function explainScore(
  task: BrokerTask,
  c: ComputeCandidate,
  locality: LocalityEstimator | undefined,
): string[] {
  const out: string[] = []
  if (locality && task.inputs.length > 0) {
    const { nearBytes, totalBytes } = locality(task.inputs, c.name)
    out.push(
      `data locality: ${totalBytes > 0 ? Math.round((100 * nearBytes) / totalBytes) : 0}% of ${totalBytes} input bytes near the site`,
    )
  }
  out.push(`load: ${c.queued} queued + ${c.running} running on ${c.cores} cores`)
  out.push(
    c.energyGCo2PerKwh === null
      ? 'energy: no carbon figure known'
      : `energy: ${c.energyGCo2PerKwh} gCO2/kWh`,
  )
  return out
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
