/**
 * The broker: for a ready task, the compute services that can run it (resources, environment,
 * policy, allocation, pin/exclude) ranked by data locality, load and energy, with the reasons
 * for every decision kept so that `continuum workflow explain` can show them.
 */
import {
  type BrokerOptions,
  type BrokerTask,
  type ComputeCandidate,
  type LocalityEstimator,
  type Placement,
  type PlacementDecision,
  type UsePredicate,
} from './broker-types.js'

export * from './broker-types.js'

const allowAll: UsePredicate = () => true

/** Picks the best site for `task`; one pass over the candidates, reasons written only for those kept. */
export function placeTask(
  task: BrokerTask,
  candidates: readonly ComputeCandidate[],
  options: BrokerOptions = {},
): Placement {
  const mayUse = options.mayUse ?? allowAll
  const keep = options.keep ?? 5
  const rejected: Array<[ComputeCandidate, Rejection]> = []
  const counts = new Map<Rejection, number>()
  // The best `keep` eligible sites, best first (insertion into a short array).
  const top: Array<[ComputeCandidate, number]> = []
  let eligible = 0
  let scanned = 0
  if (!options.locality || task.inputs.length === 0) {
    // Without data locality the score does not depend on the task: walk the sites best first
    // and stop once `keep` eligible ones are found (the ranking is cached per load state).
    for (const [c, s] of ranked(candidates)) {
      scanned++
      const why = rejection(task, c, mayUse)
      if (why !== null) {
        counts.set(why, (counts.get(why) ?? 0) + 1)
        if (rejected.length < keep) rejected.push([c, why])
        continue
      }
      eligible++
      top.push([c, s])
      if (top.length === keep) break
    }
  } else {
    const examine = (c: ComputeCandidate): void => {
      scanned++
      const why = rejection(task, c, mayUse)
      if (why !== null) {
        counts.set(why, (counts.get(why) ?? 0) + 1)
        if (rejected.length < keep) rejected.push([c, why])
        return
      }
      eligible++
      const s = score(task, c, options.locality)
      if (top.length === keep && s <= (top[keep - 1] as [ComputeCandidate, number])[1]) return
      let i = top.length
      while (i > 0 && (top[i - 1] as [ComputeCandidate, number])[1] < s) i--
      top.splice(i, 0, [c, s])
      if (top.length > keep) top.pop()
    }
    const near = options.locality.near?.(task.inputs)
    if (near) {
      // Only sites near a copy gain from locality; for every other site the full score is at
      // most its load-and-carbon score (moving data only costs). So: every near site, then the
      // others best first, stopping once none left can beat the kept ones.
      const nearby = nearCandidates(candidates, near)
      for (const c of nearby) examine(c)
      for (const [c, base] of ranked(candidates)) {
        if (nearby.has(c)) continue
        if (top.length === keep && base < (top[keep - 1] as [ComputeCandidate, number])[1]) break
        examine(c)
      }
    } else {
      for (const c of candidates) examine(c)
    }
  }
  // Prefer, among the best, sites where the community's allocation has the most room left.
  if (task.community !== null) {
    for (const entry of top) entry[1] += roomBonus(task, entry[0])
    top.sort((x, y) => y[1] - x[1] || (x[0].name < y[0].name ? -1 : 1))
  }
  const decisions: PlacementDecision[] = top.map(([c, s], i) => ({
    site: c.name,
    eligible: true,
    score: round(s),
    reasons: [
      i === 0 ? 'chosen: best score' : `runner-up #${i + 1}`,
      ...explainScore(task, c, options.locality),
      ...(i === 0 && options.explainUse
        ? [options.explainUse(task.community, c, task.owner ?? null)].filter(
            (r): r is string => r !== null,
          )
        : []),
    ],
  }))
  for (const [c, why] of rejected) {
    decisions.push({
      site: c.name,
      eligible: false,
      score: null,
      reasons: [describeRejection(why, task, c, mayUse)],
    })
  }
  const best = top[0]
  if (best) {
    return {
      site: best[0].name,
      decisions,
      summary: `placed on ${best[0].name} (best of ${candidates.length} sites; ${eligible} eligible among the ${scanned} examined)`,
    }
  }
  const summary =
    candidates.length === 0
      ? 'no compute sites are configured'
      : `no eligible site among ${candidates.length}: ${[...counts].map(([w, n]) => `${n}× ${rejectionText[w]}`).join('; ')}`
  return { site: null, decisions, summary, wait: counts.has('drained') }
}

const rejectionText = {
  drained: 'draining (takes no new tasks)',
  pin: 'not selected by the site expression',
  exclude: 'excluded by the exclude expression',
  cores: 'too few cores',
  memory: 'too little memory',
  walltime: 'walltime above the limit',
  accelerators: 'too few accelerators',
  model: 'other accelerator model',
  container: 'no container runtime for the image',
  environment: 'software environment not offered',
  allocation: 'no allocation left',
  policy: 'policy does not allow it',
} as const
type Rejection = keyof typeof rejectionText

function rejection(task: BrokerTask, c: ComputeCandidate, mayUse: UsePredicate): Rejection | null {
  if (c.draining) return 'drained'
  if (task.pinned && !task.pinned.has(c.name)) return 'pin'
  if (task.excluded?.has(c.name)) return 'exclude'
  if (task.cores > c.cores) return 'cores'
  if (task.memoryMb > c.cores * c.memoryPerCoreMb) return 'memory'
  if (c.maxWalltimeS !== null && task.walltimeS > c.maxWalltimeS) return 'walltime'
  const acc = task.accelerators
  if (acc) {
    if (!c.accelerators || c.accelerators.count < acc.count) return 'accelerators'
    if (acc.model !== null && c.accelerators.model.toLowerCase() !== acc.model.toLowerCase()) {
      return 'model'
    }
  }
  if (task.image !== null && c.containerRuntimes.length === 0) return 'container'
  // Never skipped: a site that lists no environments offers none.
  if (task.environment && !(c.environments ?? []).includes(task.environment)) {
    return 'environment'
  }
  if (c.allocationLeftCoreHours !== null && c.allocationLeftCoreHours <= 0) return 'allocation'
  if (c.allocations) {
    const left = c.allocations.get(task.community ?? '')
    if (left === undefined ? c.allocationsExclusive !== false : left <= 0) return 'allocation'
  }
  if (mayUse(task.community, c, task.owner ?? null) !== true) return 'policy'
  return null
}

function describeRejection(
  why: Rejection,
  task: BrokerTask,
  c: ComputeCandidate,
  mayUse: UsePredicate,
): string {
  switch (why) {
    case 'cores':
      return `too few cores (${c.cores} < ${task.cores})`
    case 'memory':
      return `too little memory (${c.cores * c.memoryPerCoreMb} MiB < ${task.memoryMb} MiB)`
    case 'walltime':
      return `walltime above the limit (${c.maxWalltimeS} s < ${task.walltimeS} s)`
    case 'accelerators':
      return `too few accelerators (${c.accelerators?.count ?? 0} < ${task.accelerators?.count ?? 0})`
    case 'model':
      return `accelerator model ${c.accelerators?.model ?? '-'} is not ${task.accelerators?.model ?? '-'}`
    case 'environment':
      return `software environment ${task.environment ?? '-'} is not offered here (offers: ${
        c.environments && c.environments.length > 0
          ? c.environments.slice(0, 8).join(', ') + (c.environments.length > 8 ? ' …' : '')
          : 'none'
      })`
    case 'allocation': {
      if (!c.allocations) return 'allocation exhausted (0 core-hours left)'
      const left = c.allocations.get(task.community ?? '')
      if (left === undefined) {
        return `${task.community ?? 'this community'} has no allocation on ${c.service ?? c.name}`
      }
      const charge = c.allocationCharges?.get(task.community ?? '')
      return charge
        ? `allocation of ${task.community ?? '-'} exhausted (${charge.allocation}: ${round(charge.left)} of ${round(charge.amount)} ${charge.unit} left; it covers this service)`
        : `allocation of ${task.community ?? '-'} exhausted (${round(left)} core-hours left)`
    }
    case 'policy': {
      const answer = mayUse(task.community, c, task.owner ?? null)
      return typeof answer === 'string'
        ? answer
        : `policy does not let ${task.community ?? 'this community'} use it`
    }
    default:
      return rejectionText[why]
  }
}

const siteIndexes = new WeakMap<
  readonly ComputeCandidate[],
  { bySite: Map<string, ComputeCandidate[]>; byEndpoint: Map<string, ComputeCandidate[]> }
>()

/** Candidates at the given sites or near the given endpoints (indexed once per candidate list). */
function nearCandidates(
  candidates: readonly ComputeCandidate[],
  near: { sites: ReadonlySet<string>; endpoints: ReadonlySet<string> },
): Set<ComputeCandidate> {
  let index = siteIndexes.get(candidates)
  if (!index) {
    index = { bySite: new Map(), byEndpoint: new Map() }
    const add = (m: Map<string, ComputeCandidate[]>, k: string, c: ComputeCandidate) => {
      const list = m.get(k)
      if (list) list.push(c)
      else m.set(k, [c])
    }
    for (const c of candidates) {
      if (c.siteName) add(index.bySite, c.siteName.toLowerCase(), c)
      for (const e of c.nearEndpoints ?? []) add(index.byEndpoint, e, c)
    }
    siteIndexes.set(candidates, index)
  }
  const out = new Set<ComputeCandidate>()
  for (const site of near.sites) for (const c of index.bySite.get(site) ?? []) out.add(c)
  for (const e of near.endpoints) for (const c of index.byEndpoint.get(e) ?? []) out.add(c)
  return out
}

const rankings = new WeakMap<
  readonly ComputeCandidate[],
  { version: string; order: Array<[ComputeCandidate, number]> }
>()

/** Sites by task-independent score, best first; recomputed when their load changes. */
function ranked(candidates: readonly ComputeCandidate[]): Array<[ComputeCandidate, number]> {
  let a = 0
  let b = 0
  for (const c of candidates) {
    a += c.queued + c.running
    b = (Math.imul(b, 31) + c.queued * 7 + c.running) | 0
  }
  const version = `${candidates.length}:${a}:${b}`
  const cached = rankings.get(candidates)
  if (cached?.version === version) return cached.order
  const order = candidates.map((c): [ComputeCandidate, number] => [c, score(null, c, undefined)])
  order.sort((x, y) => y[1] - x[1] || (x[0].name < y[0].name ? -1 : 1))
  rankings.set(candidates, { version, order })
  return order
}

/** Higher is better: locality dominates, then load, then carbon intensity. */
function score(
  task: BrokerTask | null,
  c: ComputeCandidate,
  locality: LocalityEstimator | undefined,
): number {
  let s = 0
  if (task && locality && task.inputs.length > 0) {
    const { nearBytes, totalBytes, transferS } = locality(task.inputs, c)
    if (totalBytes > 0) s += 100 * (nearBytes / totalBytes)
    // Moving the rest costs time: a point per minute of transfer, at most 50.
    if (transferS) s -= Math.min(50, transferS / 60)
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
    const { nearBytes, totalBytes, transferS } = locality(task.inputs, c)
    out.push(
      `data locality: ${totalBytes > 0 ? Math.round((100 * nearBytes) / totalBytes) : 0}% of ${totalBytes} input bytes near the site`,
    )
    if (transferS !== undefined && nearBytes < totalBytes) {
      out.push(
        transferS === null
          ? 'transfer: no network link known to the site'
          : `transfer: about ${round(transferS)} s for the rest over the known links`,
      )
    }
  }
  const charge = c.allocationCharges?.get(task.community ?? '')
  if (charge) {
    out.push(
      `allocation: charged to ${charge.allocation} (${round(charge.left)} of ${round(charge.amount)} ${charge.unit} left)`,
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

/** Up to 5 points for the share of the community's allocation still left at the site. */
function roomBonus(task: BrokerTask, c: ComputeCandidate): number {
  const charge = c.allocationCharges?.get(task.community ?? '')
  if (!charge || charge.amount <= 0) return 0
  return 5 * Math.max(0, Math.min(1, charge.left / charge.amount))
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
