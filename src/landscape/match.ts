/**
 * Matches a use case against the whole landscape: every relevant compute service, storage
 * service and access policy evaluated with reasons, then the best combination — enough
 * compute and storage capacity from services that meet the other requirements, under the best
 * access policy of each infrastructure involved — and what that combination leaves uncovered.
 */
import type { AccessPolicy, ComputeService, Evaluation, Infrastructure, MatchResult, Reason, RequirementProfile, SoftwareEnvironment, StorageService, UseCase } from '../contract/index.js'
import { evaluateCompute, evaluatePolicy, evaluateStorage, scoreOf, type ComputeFacts } from './evaluate.js'
import { requirementKind, statedRequirements } from './requirements.js'

export interface Landscape {
  infrastructures: Infrastructure[]
  compute: ComputeService[]
  storage: StorageService[]
  policies: AccessPolicy[]
  software: SoftwareEnvironment[]
  useCases: UseCase[]
  facts: Map<string, ComputeFacts>
}

export function buildFacts(compute: ComputeService[], software: SoftwareEnvironment[]): Map<string, ComputeFacts> {
  const facts = new Map<string, ComputeFacts>(compute.map((c) => [c.name, { cvmfs: new Set<string>() }]))
  for (const env of software) if (env.kind === 'cvmfs') for (const svc of env.computeServices) facts.get(svc)?.cvmfs.add(env.reference)
  return facts
}

const capacityKeys = new Set(['compute.coreHoursPerYear', 'compute.peakCores', 'data.storedPB', 'data.tapePB'])
const rankVerdict = { fit: 0, partial: 1, no: 2 } as const

function evaluation(kind: Evaluation['kind'], name: string, infrastructure: string, reasons: Reason[]): Evaluation {
  const verdict = reasons.some((r) => r.verdict === 'no') ? 'no' : reasons.some((r) => r.verdict === 'partial') ? 'partial' : 'fit'
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
      evaluateStorage(p, s, reasons)
      if (reasons.length > 0) out.push(evaluation('storage', s.name, s.infrastructure, reasons))
    }
  }
  for (const s of l.policies) {
    const reasons: Reason[] = []
    evaluatePolicy(p, uc.community, [uc.community], s, reasons)
    out.push(evaluation('policy', s.name, s.infrastructure, reasons))
  }
  const kindOrder = { compute: 0, storage: 1, policy: 2 }
  return out.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || rankVerdict[a.verdict] - rankVerdict[b.verdict] || b.score - a.score || a.name.localeCompare(b.name))
}

const notNo = (e: Evaluation, except: Set<string>) => e.reasons.every((r) => r.verdict !== 'no' || except.has(r.requirement))
const fits = (e: Evaluation) => e.reasons.filter((r) => r.verdict === 'fit').length

export function matchUseCase(l: Landscape, uc: UseCase): MatchResult {
  const evaluations = evaluateAll(l, uc)
  const p: RequirementProfile = uc.profile
  const stated = statedRequirements(p)
  const byName = new Map(evaluations.map((e) => [`${e.kind}:${e.name}`, e]))
  // Infrastructures the community can get into at all.
  const open = new Set(evaluations.filter((e) => e.kind === 'policy' && e.reasons.find((r) => r.requirement === 'access.eligibility')?.verdict !== 'no').map((e) => e.infrastructure))

  const computeCands = evaluations.filter((e) => e.kind === 'compute' && open.has(e.infrastructure) && notNo(e, capacityKeys)).sort((a, b) => fits(b) - fits(a) || cores(l, b.name) - cores(l, a.name))
  const compute = pickCapacity(computeCands, (e) => cores(l, e.name), Math.max((p.compute?.coreHoursPerYear ?? 0) / 8760, p.compute?.peakCores ?? 0))
  const diskNeed = (p.data?.storedPB ?? 0) * (p.data?.diskShare ?? 1) * 1000
  const tapeNeed = (p.data?.storedPB ?? 0) * (1 - (p.data?.diskShare ?? 1)) * 1000
  const storageCands = (tape: boolean) =>
    evaluations.filter((e) => e.kind === 'storage' && open.has(e.infrastructure) && (storageMedia(l, e.name) === 'tape') === tape && notNo(e, capacityKeys)).sort((a, b) => capacity(l, b.name) - capacity(l, a.name))
  const storage = [...pickCapacity(storageCands(false), (e) => capacity(l, e.name), diskNeed), ...(tapeNeed > 0 ? pickCapacity(storageCands(true), (e) => capacity(l, e.name), tapeNeed) : [])]

  const infras = new Set([...compute, ...storage].map((e) => e.infrastructure))
  const policies: Evaluation[] = []
  const policyEvals = evaluations.filter((e) => e.kind === 'policy')
  for (const infra of infras.size > 0 ? infras : new Set(policyEvals.slice(0, 1).map((e) => e.infrastructure))) {
    const best = policyEvals.filter((e) => e.infrastructure === infra).sort((a, b) => rankVerdict[a.verdict] - rankVerdict[b.verdict] || b.score - a.score)[0]
    if (best) policies.push(best)
  }

  const chosen = { compute, storage, policy: policies }
  const covers: string[] = []
  const uncovered: string[] = []
  for (const key of stated) {
    const kind = requirementKind(key)
    const set = chosen[kind]
    let ok: boolean
    if (key === 'compute.coreHoursPerYear') ok = sum(compute, (e) => cores(l, e.name) * 8760) >= (p.compute?.coreHoursPerYear ?? 0) && compute.length > 0
    else if (key === 'compute.peakCores') ok = sum(compute, (e) => cores(l, e.name)) >= (p.compute?.peakCores ?? 0) && compute.length > 0
    else if (key === 'data.storedPB') ok = sum(storage.filter((e) => storageMedia(l, e.name) !== 'tape'), (e) => capacity(l, e.name)) >= diskNeed && storage.length > 0
    else if (key === 'data.tapePB') ok = sum(storage.filter((e) => storageMedia(l, e.name) === 'tape'), (e) => capacity(l, e.name)) >= tapeNeed
    else ok = set.length > 0 && set.every((e) => e.reasons.find((r) => r.requirement === key)?.verdict === 'fit')
    ;(ok ? covers : uncovered).push(key)
  }
  void byName
  const verdict = uncovered.length === 0 ? 'fit' : covers.length > 0 ? 'partial' : 'no'
  return { useCase: uc.name, verdict, evaluations, best: { compute: compute.map((e) => e.name), storage: storage.map((e) => e.name), policies: policies.map((e) => e.name), covers, uncovered } }
}

function pickCapacity(cands: Evaluation[], size: (e: Evaluation) => number, need: number, max = 8): Evaluation[] {
  const out: Evaluation[] = []
  let total = 0
  for (const e of cands) {
    if (out.length >= max || (out.length > 0 && total >= need)) break
    out.push(e)
    total += size(e)
  }
  return out
}

const sum = (es: Evaluation[], f: (e: Evaluation) => number) => es.reduce((s, e) => s + f(e), 0)
function cores(l: Landscape, name: string): number {
  return l.compute.find((c) => c.name === name)?.cores ?? 0
}
function capacity(l: Landscape, name: string): number {
  return l.storage.find((s) => s.name === name)?.capacityTB ?? 0
}
function storageMedia(l: Landscape, name: string): string {
  return l.storage.find((s) => s.name === name)?.media ?? 'disk'
}
