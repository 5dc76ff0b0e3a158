/**
 * What is left of the communities' allocations on each bound compute service. An allocation
 * covers every service its expression selects (see catalog's allocation-scope.ts), so what a
 * task used on one of them is gone on all of them: tasks are charged to the allocation they ran
 * under (usage_records.allocation), and the balance is the grant less the catalogue's own `used`
 * figure less what was charged since the period started. Core-hours are charged cores × wall
 * time, GPU-hours accelerators × wall time; other compute units (node-, VM-hours, fair share)
 * only through `used`. Expired or future periods count 0.
 */
import {
  allocationActive,
  allocationExpression,
  allocationGrants,
  allocationPeriod,
  matchesService,
  parseServiceExpression,
  type CoveredService,
  type WireRecord,
} from '../catalog/index.js'
import type { Context } from '../db/index.js'
import type { ExpressionNode } from '../platform/index.js'
import type { AllocationCharge } from './broker.js'
import { sumChargedSince } from './usage-store.js'

/** Units a compute allocation is counted in (the first such grant of an allocation binds). */
export const computeUnits = ['core-hours', 'gpu-hours', 'node-hours', 'vm-hours', 'fair-share']

export interface AllocationBalances {
  /** Candidate → community → units left over all its allocations covering the candidate. */
  left: Map<string, Map<string, number>>
  /** Candidate → community → the allocation to charge (the one with the most room). */
  charge: Map<string, Map<string, AllocationCharge>>
  /**
   * Candidates covered by at least one allocation that is not an example: only communities
   * holding an allocation there may use them. Example allocations (the demo's, marked so) limit
   * their holders but leave the service open to everyone else.
   */
  exclusive: Set<string>
}

export async function allocationBalances(
  ctx: Context,
  allocations: readonly WireRecord[],
  services: ReadonlyMap<string, CoveredService>,
  bound: ReadonlyArray<{ candidate: string; service: string }>,
): Promise<AllocationBalances> {
  const today = ctx.clock.now()
  const compute: Array<{ a: WireRecord; node: ExpressionNode; unit: string; amount: number }> = []
  for (const a of allocations) {
    const grant = allocationGrants(a).find((g) => computeUnits.includes(g.unit))
    if (!grant) continue
    let node: ExpressionNode
    try {
      node = parseServiceExpression(allocationExpression(a))
    } catch {
      continue // written before the expression was checked; it covers nothing
    }
    compute.push({ a, node, unit: grant.unit, amount: grant.amount })
  }
  const asks = compute.map(({ a, unit }) => ({
    allocation: a.name,
    since: allocationPeriod(a).start,
    unit: unit as 'core-hours' | 'gpu-hours',
  }))
  const charged = await sumChargedSince(
    ctx.db,
    asks.filter((x) => x.unit === 'core-hours' || x.unit === 'gpu-hours'),
  )
  const chargedBy = new Map<string, number>()
  asks
    .filter((x) => x.unit === 'core-hours' || x.unit === 'gpu-hours')
    .forEach((x, i) => chargedBy.set(x.allocation, charged[i] ?? 0))
  const out: AllocationBalances = { left: new Map(), charge: new Map(), exclusive: new Set() }
  for (const { candidate, service } of bound) {
    const facts = services.get(service)
    if (!facts) continue
    for (const { a, node, unit, amount } of compute) {
      if (!matchesService(node, facts)) continue
      if (a.example !== true) out.exclusive.add(candidate)
      const community = String(a.community)
      const active = allocationActive(a, today)
      // `used` is the catalogue's own figure, in the main unit.
      const used = a.unit === unit ? Number(a.used ?? 0) : 0
      const left = active ? amount - used - (chargedBy.get(a.name) ?? 0) : 0
      const lefts = out.left.get(candidate) ?? new Map<string, number>()
      out.left.set(candidate, lefts)
      lefts.set(community, (lefts.get(community) ?? 0) + left)
      const charges = out.charge.get(candidate) ?? new Map<string, AllocationCharge>()
      out.charge.set(candidate, charges)
      const best = charges.get(community)
      if (active && (best === undefined || left > best.left)) {
        charges.set(community, { allocation: a.name, unit, left, amount })
      }
    }
  }
  return out
}
