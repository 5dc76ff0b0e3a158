/**
 * Projected needs: each use case's profile grown to 1, 3 and 5 years from its own figures —
 * compute by its yearly growth rate (compound), stored data by its PB-a-year growth (linear) —
 * matched again against the landscape, and the access policies it relies on today checked for
 * whether their period and typical size still suffice. A use case without a growth figure is
 * held at today's need, and the projection says so rather than guessing.
 */
import type {
  AccessPolicy,
  MatchResult,
  Projection,
  RequirementProfile,
} from '../contract/index.js'
import { matchUseCase, type Landscape } from './match.js'

export const horizons = [1, 3, 5] as const
const hoursPerYear = 8760

/** The profile `years` from now. */
export function projectProfile(p: RequirementProfile, years: number): RequirementProfile {
  const out = structuredClone(p)
  const g = p.compute?.growthPerYear ?? 0
  const f = (1 + g) ** years
  const grow = (x: number) => Math.round(x * f)
  if (out.compute) {
    if (out.compute.coreHoursPerYear != null) {
      out.compute.coreHoursPerYear = grow(out.compute.coreHoursPerYear)
    }
    if (out.compute.peakCores != null) out.compute.peakCores = grow(out.compute.peakCores)
    if (out.compute.acceleratorCount != null) {
      out.compute.acceleratorCount = grow(out.compute.acceleratorCount)
    }
  }
  if (out.data?.storedPB != null && (p.data?.growthPBPerYear ?? 0) > 0) {
    out.data.storedPB = out.data.storedPB + p.data!.growthPBPerYear! * years
  }
  return out
}

/** Whether policy `s` still suffices for `profile` over `years` of work; with the reason. */
export function policySuffices(
  s: AccessPolicy,
  profile: RequirementProfile,
  years: number,
): { suffices: boolean; reason: string } {
  const months = Math.max(1, years) * 12
  if (!s.multiYear && !s.renewable && s.periodMonths != null && s.periodMonths < months) {
    return {
      suffices: false,
      reason: `one ${s.periodMonths}-month allocation, neither multi-year nor renewable: does not cover ${Math.max(1, years)} year(s) of work`,
    }
  }
  const perYear =
    s.typicalSize != null && s.periodMonths ? (s.typicalSize * 12) / s.periodMonths : null
  const c = profile.compute ?? {}
  const need =
    s.allocationUnit === 'core-hours'
      ? (c.coreHoursPerYear ?? null)
      : s.allocationUnit === 'gpu-hours' && c.acceleratorCount != null
        ? c.acceleratorCount * hoursPerYear
        : null
  if (perYear != null && need != null && need > perYear) {
    return {
      suffices: false,
      reason: `typical allocation ${fmt(perYear)} ${s.allocationUnit} a year < projected need ${fmt(need)}`,
    }
  }
  const period = s.multiYear
    ? 'multi-year'
    : s.renewable
      ? 'renewable'
      : `${s.periodMonths ?? '?'}-month`
  return {
    suffices: true,
    reason:
      perYear != null && need != null
        ? `${period}; typical allocation ${fmt(perYear)} ${s.allocationUnit} a year ≥ projected ${fmt(need)}`
        : `${period}; size not comparable (${s.typicalSize == null ? 'no typical size published' : `allocations in ${s.allocationUnit ?? 'unstated units'}`})`,
  }
}

const fmt = (n: number) =>
  n >= 1e9
    ? `${+(n / 1e9).toFixed(2)}e9`
    : n >= 1e6
      ? `${+(n / 1e6).toFixed(2)}e6`
      : `${Math.round(n)}`

/** Projections for every use case; `matches` (today's, when already computed) are reused. */
export function projectNeeds(l: Landscape, matches: MatchResult[] = []): Projection[] {
  const known = new Map(matches.map((m) => [m.useCase, m]))
  return l.useCases.map((uc) => {
    const today = known.get(uc.name) ?? matchUseCase(l, uc)
    const used = l.policies.filter((p) => today.best.policies.includes(p.name))
    const g = uc.profile.compute?.growthPerYear
    const dataGrowth = uc.profile.data?.growthPBPerYear ?? 0
    const basis = [
      g != null
        ? `compute +${Math.round(g * 100)} % a year`
        : 'no compute growth figure: held at today',
      dataGrowth > 0 ? `data +${dataGrowth} PB a year` : 'no data growth figure: held at today',
    ].join('; ')
    const at = (years: number) => {
      const profile = years === 0 ? uc.profile : projectProfile(uc.profile, years)
      // Without any growth the profile is today's: no need to match it again.
      const grows = (g ?? 0) > 0 || dataGrowth > 0
      const m = years === 0 || !grows ? today : matchUseCase(l, { ...uc, profile })
      return {
        years,
        verdict: m.verdict,
        coreHoursPerYear: profile.compute?.coreHoursPerYear ?? null,
        storedPB: profile.data?.storedPB ?? null,
        newlyUncovered: m.best.uncovered.filter((k) => !today.best.uncovered.includes(k)),
        policies: used.map((p) => ({ policy: p.name, ...policySuffices(p, profile, years) })),
      }
    }
    return { useCase: uc.name, basis, horizons: [0, ...horizons].map(at) }
  })
}
