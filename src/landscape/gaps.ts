/**
 * The gap report: per use case, the requirements the best combination leaves uncovered (with
 * the closest any service comes); cross-cutting gaps shared by several use cases; coverage per
 * Technical Blueprint capability area; D5.2's recommendations checked against every access
 * policy and D5.3's against every infrastructure; projected needs at 1, 3 and 5 years; and
 * ranked actions — which change to which service or policy unblocks most use cases — each placed
 * in a Blueprint area, a SRIDA pillar and priority, and a SRIDA phase.
 */
import type { Action, Evaluation, GapReport, MatchResult } from '../contract/index.js'
import { checkLandscape } from './d53.js'
import { matchUseCase, type Landscape } from './match.js'
import { projectNeeds } from './projection.js'
import {
  capabilityAreas,
  d52Recommendations,
  requirementAreas,
  requirementKind,
  statedRequirements,
} from './requirements.js'
import { priorityOf } from './srida.js'

const verdictRank = { fit: 0, partial: 1, no: 2 } as const

/** The reason closest to meeting `key`: a partial one if any, else the best-scoring record's. */
function closest(
  evaluations: Evaluation[],
  key: string,
): { text: string; target: string | undefined } {
  let best: { rank: number; score: number; text: string; target: string } | undefined
  for (const e of evaluations) {
    const r = e.reasons.find((x) => x.requirement === key)
    // A record that already meets the requirement is no target for changing it.
    if (!r || r.verdict === 'fit') continue
    const rank = verdictRank[r.verdict]
    if (!best || rank < best.rank || (rank === best.rank && e.score > best.score)) {
      best = { rank, score: e.score, text: `${e.name}: ${r.reason}`, target: `${e.kind}:${e.name}` }
    }
  }
  return best
    ? { text: best.text, target: best.target }
    : { text: 'no service states this', target: undefined }
}

export function gapReport(
  l: Landscape,
  matches: MatchResult[] = l.useCases.map((uc) => matchUseCase(l, uc)),
): GapReport {
  const perUseCase = matches.map((m) => ({
    useCase: m.useCase,
    verdict: m.verdict,
    gaps: m.best.closest.map((c) => ({ requirement: c.requirement, closest: c.reason })),
  }))

  const byKey = new Map<string, string[]>()
  for (const m of matches) {
    for (const key of m.best.uncovered) byKey.set(key, [...(byKey.get(key) ?? []), m.useCase])
  }
  const crossCutting = [...byKey.entries()]
    .filter(([, ucs]) => ucs.length >= 2)
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([key, ucs]) => {
      const tops = matches
        .filter((m) => ucs.includes(m.useCase))
        .map(
          (m) =>
            `${m.useCase} → ${m.best.closest.find((c) => c.requirement === key)?.reason ?? ''}`,
        )
      return {
        requirement: key,
        area: capabilityAreas[(requirementAreas[key]?.[0] ?? 1) - 1]!,
        useCases: ucs,
        closest: tops.slice(0, 3),
      }
    })

  const areas = capabilityAreas.map((area, i) => ({
    area,
    number: i + 1,
    met: 0,
    total: 0,
    coverage: 1,
  }))
  for (const m of matches) {
    const uc = l.useCases.find((u) => u.name === m.useCase)
    if (!uc) continue
    for (const key of statedRequirements(uc.profile)) {
      const a = areas[(requirementAreas[key]?.[0] ?? 1) - 1]!
      a.total++
      if (m.best.covers.includes(key)) a.met++
    }
  }
  for (const a of areas) {
    a.coverage = a.total === 0 ? 1 : Math.round((a.met / a.total) * 1000) / 1000
  }

  const recommendations = l.policies.map((p) => {
    const computes = l.compute.filter((c) => c.infrastructure === p.infrastructure)
    const storages = l.storage.filter((s) => s.infrastructure === p.infrastructure)
    const met = [
      p.multiYear,
      p.crossInfrastructure,
      p.interactive,
      p.userInterfaces.some((u) => u === 'jupyter' || u === 'web-portal'),
      p.acceptedAai.some((a) => a !== 'local'),
      p.unattendedWorkflows,
      storages.some((s) => s.protocols.some((x) => x !== 'posix')) ||
        computes.some((c) => c.containerRuntimes.length > 0),
      p.feedbackLoop,
    ]
    return {
      policy: p.name,
      infrastructure: p.infrastructure,
      results: d52Recommendations.map((recommendation, i) => ({ recommendation, met: met[i]! })),
      met: met.filter(Boolean).length,
    }
  })

  return {
    perUseCase,
    crossCutting,
    areas,
    recommendations,
    landscapeChecks: checkLandscape(l),
    projections: projectNeeds(l, matches),
    actions: rankActions(matches),
  }
}

/**
 * An action is "change requirement R at target T"; it unblocks the use cases for which T's
 * reason on R is the closest to being met. Ranked by how many use cases it unblocks.
 */
function rankActions(matches: MatchResult[]): Action[] {
  const actions = new Map<
    string,
    { target: string; key: string; text: string; unblocks: Set<string> }
  >()
  for (const m of matches) {
    for (const key of m.best.uncovered) {
      // Fix it where the best combination already is; else at the record that comes closest.
      const kind = requirementKind(key)
      const names =
        kind === 'compute' ? m.best.compute : kind === 'storage' ? m.best.storage : m.best.policies
      const inCombo = m.evaluations.find(
        (e) =>
          e.kind === kind &&
          names.includes(e.name) &&
          e.reasons.some((r) => r.requirement === key && r.verdict !== 'fit'),
      )
      const r = inCombo?.reasons.find((x) => x.requirement === key)
      const c =
        inCombo && r
          ? { target: `${inCombo.kind}:${inCombo.name}`, text: `${inCombo.name}: ${r.reason}` }
          : closest(m.evaluations, key)
      if (!c.target) continue
      const id = `${c.target}|${key}`
      const a = actions.get(id) ?? {
        target: c.target,
        key,
        text: c.text.replace(/^[^:]+: /, ''),
        unblocks: new Set<string>(),
      }
      a.unblocks.add(m.useCase)
      actions.set(id, a)
    }
  }
  const list = [...actions.values()].sort(
    (a, b) =>
      b.unblocks.size - a.unblocks.size ||
      a.target.localeCompare(b.target) ||
      a.key.localeCompare(b.key),
  )
  return list.map((a, i) => {
    const { pillar, priority } = priorityOf(a.key)
    return {
      rank: i + 1,
      phase: requirementAreas[a.key]?.[1] ?? 'integration',
      area: capabilityAreas[(requirementAreas[a.key]?.[0] ?? 1) - 1]!,
      pillar: `${pillar.id} ${pillar.title}`,
      priority: `${priority.id} ${priority.title}`,
      requirement: a.key,
      target: a.target,
      change: changeText(a.key, a.text),
      unblocks: [...a.unblocks].sort(),
    }
  })
}

const changes: Record<string, string> = {
  'compute.coreHoursPerYear': 'add CPU capacity (or pledge more core-hours)',
  'compute.peakCores': 'allow larger concurrent allocations',
  'compute.memoryPerCoreGB': 'offer high-memory nodes',
  'compute.walltimeHours': 'raise the maximum walltime (or offer a long-job partition)',
  'compute.batchSystems':
    'offer an interface the workload manager can drive (e.g. HTCondor-CE or a Slurm REST endpoint)',
  'compute.accelerators': 'add or open accelerator partitions',
  'compute.interactiveShare': 'offer interactive sessions (notebooks, shells)',
  'data.storedPB': 'provide more disk/object capacity',
  'data.tapePB': 'provide tape archive capacity',
  'data.growthPBPerYear': "plan capacity for a year of the community's data growth",
  'data.ingestGbps':
    "provision (and catalogue) wide-area bandwidth for the community's ingest rate",
  'data.egressGbps':
    "provision (and catalogue) wide-area bandwidth for the community's egress rate",
  'data.protocols': 'expose the storage over a standard protocol (XRootD, WebDAV, S3)',
  'software.containers': 'provide a container runtime (Apptainer)',
  'software.cvmfsRepositories': 'mount the required CVMFS repositories',
  'workflow.unattendedLongRunning':
    'allow unattended long-running workflows (robot tokens, pilots)',
  'access.allocationModel': 'offer multi-year or pledged allocations',
  'access.crossInfrastructure': 'let allocations be used across infrastructures',
  'access.acceptableRoutes': 'open an access route the community can use',
  'access.eligibility': 'make the community eligible',
  'access.interactive': 'include interactive access in allocations',
  'access.aai': "accept the community's identity provider",
  'access.tokens': 'accept federated OIDC/WLCG tokens',
  'constraints.networkGbps': 'upgrade the wide-area network link',
  'constraints.maxCarbonGPerKWh': 'publish and lower the carbon intensity of the power used',
  'constraints.maxPue': 'publish and improve the PUE',
}

function changeText(key: string, reason: string): string {
  return `${changes[key] ?? `meet ${key}`} — now: ${reason}`
}
