/**
 * Matches a use case against the whole landscape: every relevant compute service, storage
 * service and access policy evaluated with reasons, then the best combination — enough
 * compute and storage capacity from services that meet the other requirements, under the best
 * access policy of each infrastructure involved — and what that combination leaves uncovered.
 */
import type {
  AccessPolicy,
  ComputeService,
  Evaluation,
  Infrastructure,
  MatchResult,
  NetworkLink,
  Reason,
  RequirementProfile,
  SoftwareEnvironment,
  StorageService,
  UseCase,
} from '../contract/index.js'
import {
  evaluateCompute,
  evaluateStorage,
  scoreOf,
  type ComputeFacts,
  type StorageFacts,
} from './evaluate.js'
import { evaluatePolicy } from './evaluate-policy.js'
import { requirementKind, statedRequirements } from './requirements.js'

export interface Landscape {
  infrastructures: Infrastructure[]
  compute: ComputeService[]
  storage: StorageService[]
  policies: AccessPolicy[]
  software: SoftwareEnvironment[]
  useCases: UseCase[]
  facts: Map<string, ComputeFacts>
  storageFacts: Map<string, StorageFacts>
}

export function buildFacts(
  compute: ComputeService[],
  software: SoftwareEnvironment[],
): Map<string, ComputeFacts> {
  const facts = new Map<string, ComputeFacts>(
    compute.map((c) => [c.name, { cvmfs: new Set<string>() }]),
  )
  for (const env of software) {
    if (env.kind === 'cvmfs') {
      for (const svc of env.computeServices) facts.get(svc)?.cvmfs.add(env.reference)
    }
  }
  return facts
}

/**
 * The wide-area bandwidth reaching each storage service: the fastest network link touching its
 * site, else the largest external capacity published by a compute service at the same site.
 */
export function buildStorageFacts(
  storage: StorageService[],
  compute: ComputeService[],
  links: NetworkLink[],
): Map<string, StorageFacts> {
  const bySite = new Map<string, number>()
  const raise = (site: string | null, gbps: number | null) => {
    if (site !== null && gbps !== null && gbps > (bySite.get(site) ?? -1)) bySite.set(site, gbps)
  }
  for (const link of links) {
    raise(link.from, link.bandwidthGbps)
    raise(link.to, link.bandwidthGbps)
  }
  const linked = new Set(bySite.keys())
  for (const c of compute) {
    if (c.site !== null && !linked.has(c.site)) raise(c.site, c.networkEgressGbps)
  }
  return new Map(
    storage.map((s) => [
      s.name,
      { wanGbps: s.site === null ? null : (bySite.get(s.site) ?? null) },
    ]),
  )
}

const capacityKeys = new Set([
  'compute.coreHoursPerYear',
  'compute.peakCores',
  'data.storedPB',
  'data.tapePB',
  'data.growthPBPerYear',
])
const rankVerdict = { fit: 0, partial: 1, no: 2 } as const

function evaluation(
  kind: Evaluation['kind'],
  name: string,
  infrastructure: string,
  reasons: Reason[],
): Evaluation {
  const verdict = reasons.some((r) => r.verdict === 'no')
    ? 'no'
    : reasons.some((r) => r.verdict === 'partial')
      ? 'partial'
      : 'fit'
  return { kind, name, infrastructure, verdict, score: scoreOf(reasons), reasons }
}

/** Every compute, storage and policy evaluation of one use case, best first within each kind. */
export function evaluateAll(l: Landscape, uc: UseCase): Evaluation[] {
  const p = uc.profile
  const stated = statedRequirements(p)
  const out: Evaluation[] = []
  if (stated.some((k) => requirementKind(k) === 'compute')) {
    for (const s of l.compute) {
      const reasons: Reason[] = []
      evaluateCompute(p, s, l.facts.get(s.name), reasons)
      out.push(evaluation('compute', s.name, s.infrastructure, reasons))
    }
  }
  if (stated.some((k) => requirementKind(k) === 'storage')) {
    for (const s of l.storage) {
      const reasons: Reason[] = []
      evaluateStorage(p, s, l.storageFacts.get(s.name), reasons)
      if (reasons.length > 0) out.push(evaluation('storage', s.name, s.infrastructure, reasons))
    }
  }
  for (const s of l.policies) {
    const reasons: Reason[] = []
    evaluatePolicy(p, uc.community, [uc.community], s, reasons)
    out.push(evaluation('policy', s.name, s.infrastructure, reasons))
  }
  const kindOrder = { compute: 0, storage: 1, policy: 2 }
  return out.sort(
    (a, b) =>
      kindOrder[a.kind] - kindOrder[b.kind] ||
      rankVerdict[a.verdict] - rankVerdict[b.verdict] ||
      b.score - a.score ||
      a.name.localeCompare(b.name),
  )
}

const notNo = (e: Evaluation, except: Set<string>) =>
  e.reasons.every((r) => r.verdict !== 'no' || except.has(r.requirement))

export function matchUseCase(l: Landscape, uc: UseCase): MatchResult {
  const evaluations = evaluateAll(l, uc)
  const p: RequirementProfile = uc.profile
  const stated = statedRequirements(p)
  const idx = indexOf(l)
  // The best policy of each infrastructure the community is eligible for, and how good it is.
  const bestPolicy = new Map<string, Evaluation>()
  for (const e of evaluations) {
    if (
      e.kind !== 'policy' ||
      e.reasons.find((r) => r.requirement === 'access.eligibility')?.verdict === 'no'
    ) {
      continue
    }
    const cur = bestPolicy.get(e.infrastructure)
    if (
      !cur ||
      rankVerdict[e.verdict] < rankVerdict[cur.verdict] ||
      (e.verdict === cur.verdict && e.score > cur.score)
    ) {
      bestPolicy.set(e.infrastructure, e)
    }
  }
  const policyScore = (e: Evaluation) => bestPolicy.get(e.infrastructure)?.score ?? 0
  // Services on accessible infrastructures, without a blocking reason other than capacity, best
  // service-and-policy score first; when none qualifies, the best accessible ones anyway.
  const candidates = (pred: (e: Evaluation) => boolean, size: (e: Evaluation) => number) => {
    const open = evaluations.filter((e) => pred(e) && bestPolicy.has(e.infrastructure))
    const clean = open.filter((e) => notNo(e, capacityKeys))
    return (clean.length > 0 ? clean : open).sort(
      (a, b) =>
        b.score + policyScore(b) - (a.score + policyScore(a)) ||
        size(b) - size(a) ||
        a.name.localeCompare(b.name),
    )
  }
  const coresOf = (e: Evaluation) => idx.compute.get(e.name)?.cores ?? 0
  const tbOf = (e: Evaluation) => idx.storage.get(e.name)?.capacityTB ?? 0
  const isTape = (e: Evaluation) => idx.storage.get(e.name)?.media === 'tape'
  const compute = pickCapacity(
    candidates((e) => e.kind === 'compute', coresOf),
    coresOf,
    Math.max((p.compute?.coreHoursPerYear ?? 0) / 8760, p.compute?.peakCores ?? 0),
  )
  const diskNeed = (p.data?.storedPB ?? 0) * (p.data?.diskShare ?? 1) * 1000
  const tapeNeed = (p.data?.storedPB ?? 0) * (1 - (p.data?.diskShare ?? 1)) * 1000
  const disk = pickCapacity(
    candidates((e) => e.kind === 'storage' && !isTape(e), tbOf),
    tbOf,
    diskNeed,
  )
  const tape =
    tapeNeed > 0
      ? pickCapacity(
          candidates((e) => e.kind === 'storage' && isTape(e), tbOf),
          tbOf,
          tapeNeed,
        )
      : []
  const storage = [...disk, ...tape]

  const infras = new Set([...compute, ...storage].map((e) => e.infrastructure))
  const policyRank = [...bestPolicy.values()].sort(
    (a, b) =>
      rankVerdict[a.verdict] - rankVerdict[b.verdict] ||
      b.score - a.score ||
      a.name.localeCompare(b.name),
  )
  const policies =
    infras.size > 0
      ? policyRank.filter((e) => infras.has(e.infrastructure))
      : policyRank.slice(0, 1)

  const chosen = { compute, storage, policy: policies }
  const covers: string[] = []
  const uncovered: string[] = []
  for (const key of stated) {
    let ok: boolean
    if (key === 'compute.coreHoursPerYear') {
      ok = compute.length > 0 && sum(compute, coresOf) * 8760 >= (p.compute?.coreHoursPerYear ?? 0)
    } else if (key === 'compute.peakCores') {
      ok = compute.length > 0 && sum(compute, coresOf) >= (p.compute?.peakCores ?? 0)
    } else if (key === 'data.storedPB') ok = disk.length > 0 && sum(disk, tbOf) >= diskNeed
    else if (key === 'data.tapePB') ok = tape.length > 0 && sum(tape, tbOf) >= tapeNeed
    else if (key === 'data.growthPBPerYear') {
      // A year's growth fits on what was chosen for today's data, disk and tape alike.
      const growth = (p.data?.growthPBPerYear ?? 0) * 1000
      const diskShare = p.data?.diskShare ?? 1
      ok =
        sum(disk, tbOf) >= diskNeed + growth * diskShare &&
        (tapeNeed + growth * (1 - diskShare) <= 0 ||
          sum(tape, tbOf) >= tapeNeed + growth * (1 - diskShare))
    } else {
      const set = chosen[requirementKind(key)]
      ok =
        set.length > 0 &&
        set.every((e) => e.reasons.find((r) => r.requirement === key)?.verdict !== 'no') &&
        set.some((e) => e.reasons.find((r) => r.requirement === key)?.verdict === 'fit')
    }
    ;(ok ? covers : uncovered).push(key)
  }
  const closest = uncovered.map((key) => ({
    requirement: key,
    reason: closestReason(key, chosen[requirementKind(key)], evaluations, bestPolicy),
  }))
  const verdict = uncovered.length === 0 ? 'fit' : covers.length > 0 ? 'partial' : 'no'
  return {
    useCase: uc.name,
    verdict,
    evaluations,
    best: {
      compute: compute.map((e) => e.name),
      storage: storage.map((e) => e.name),
      policies: policies.map((e) => e.name),
      covers,
      uncovered,
      closest,
    },
  }
}

/**
 * What comes closest to meeting an uncovered requirement: the chosen records' own reason when
 * one is stated, else the best reason among accessible records, else among all.
 */
function closestReason(
  key: string,
  chosen: Evaluation[],
  all: Evaluation[],
  open: Map<string, Evaluation>,
): string {
  const pick = (es: Evaluation[]) => {
    let best: { e: Evaluation; r: Reason } | undefined
    for (const e of es) {
      const r = e.reasons.find((x) => x.requirement === key)
      if (
        r &&
        (!best ||
          rankVerdict[r.verdict] < rankVerdict[best.r.verdict] ||
          (r.verdict === best.r.verdict && e.score > best.e.score))
      ) {
        best = { e, r }
      }
    }
    return best && `${best.e.name}: ${best.r.reason}`
  }
  // Name what holds the requirement back: a chosen record that meets it is not the closest.
  const fromChosen = pick(chosen.filter((e) => !meets(e, key)))
  const alternatives = pick(
    all.filter(
      (e) =>
        open.has(e.infrastructure) &&
        !chosen.includes(e) &&
        e.reasons.some((r) => r.requirement === key && r.verdict === 'fit'),
    ),
  )
  if (fromChosen && alternatives) return `${fromChosen} (meets it elsewhere: ${alternatives})`
  return (
    fromChosen ??
    (alternatives &&
      `the chosen records together fall short (meets it elsewhere: ${alternatives})`) ??
    pick(all.filter((e) => open.has(e.infrastructure) && !meets(e, key))) ??
    pick(all.filter((e) => !meets(e, key))) ??
    (chosen.length > 0 ? 'the chosen records together fall short' : 'no record states this')
  )
}

const meets = (e: Evaluation, key: string) =>
  e.reasons.find((r) => r.requirement === key)?.verdict === 'fit'

interface Index {
  compute: Map<string, ComputeService>
  storage: Map<string, StorageService>
}
const indexes = new WeakMap<Landscape, Index>()
function indexOf(l: Landscape): Index {
  let idx = indexes.get(l)
  if (!idx) {
    idx = {
      compute: new Map(l.compute.map((c) => [c.name, c])),
      storage: new Map(l.storage.map((s) => [s.name, s])),
    }
    indexes.set(l, idx)
  }
  return idx
}

function pickCapacity(
  cands: Evaluation[],
  size: (e: Evaluation) => number,
  need: number,
  max = 8,
): Evaluation[] {
  // Records of unknown or zero size cannot cover a stated need; they are used only when
  // nothing of known size qualifies (then the gap says "not published").
  const sized =
    need > 0 && cands.some((e) => size(e) > 0) ? cands.filter((e) => size(e) > 0) : cands
  const out: Evaluation[] = []
  let total = 0
  for (const e of sized) {
    if (out.length >= max || (out.length > 0 && total >= need)) break
    out.push(e)
    total += size(e)
  }
  return out
}

const sum = (es: Evaluation[], f: (e: Evaluation) => number) => es.reduce((t, e) => t + f(e), 0)
