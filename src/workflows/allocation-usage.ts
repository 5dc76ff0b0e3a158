/**
 * Usage per allocation, for `continuum usage --allocation`, the API and the dashboard's
 * burn-down: for each allocation the caller may see, every amount it grants with what was used
 * of it and what is left, and the cumulative compute use by day against the period. Compute is
 * what tasks were charged (usage_records.allocation); storage and transfer are what the
 * community's rules hold on, and its transfers brought to, the storage endpoints of the services
 * the allocation covers (see data's allocation-storage.ts).
 */
import {
  allocationActive,
  allocationExpression,
  allocationGrants,
  allocationPeriod,
  coveredNames,
  listAllocationServices,
  listAllRecords,
  type CoveredService,
  type WireRecord,
} from '../catalog/index.js'
import type { AllocationUsage, AllocationUsageQuery } from '../contract/index.js'
import { coveredEndpoints, heldUnder, listEndpoints } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, visibleCommunities } from '../platform/index.js'
import { transferredTo } from '../transfers/index.js'
import { computeUnits } from './allocation-balance.js'
import { chargedByDay } from './usage-store.js'

const tb = 1e12

export async function allocationUsage(
  ctx: Context,
  q: AllocationUsageQuery = {},
): Promise<AllocationUsage[]> {
  const visible = visibleCommunities(ctx.actor)
  const all = (await listAllRecords(ctx.db, 'allocation')).filter(
    (a) =>
      (visible === undefined || visible.includes(String(a.community))) &&
      (q.community === undefined || a.community === q.community) &&
      (q.allocation === undefined || a.name === q.allocation),
  )
  if (q.allocation !== undefined && all.length === 0) {
    // Another community's allocation answers not-found, like one that does not exist.
    throw new ContinuumError('ALLOCATION_NOT_FOUND', `allocation '${q.allocation}' not found`, {
      allocation: q.allocation,
    })
  }
  const services = await listAllocationServices(ctx.db)
  const endpoints = await listEndpoints(ctx, {})
  const out: AllocationUsage[] = []
  for (const a of all) out.push(await usageOf(ctx, a, services, endpoints))
  return out
}

async function usageOf(
  ctx: Context,
  a: WireRecord,
  services: readonly CoveredService[],
  endpoints: Awaited<ReturnType<typeof listEndpoints>>,
): Promise<AllocationUsage> {
  const expression = allocationExpression(a)
  let covered: string[] = []
  try {
    covered = coveredNames(expression, services)
  } catch {
    // written before expressions were checked: covers nothing
  }
  const { start } = allocationPeriod(a)
  const community = String(a.community)
  const grants = allocationGrants(a)
  const firstCompute = grants.find((g) => computeUnits.includes(g.unit))
  const days = firstCompute ? await chargedByDay(ctx.db, a.name, start, firstCompute.unit) : []
  const computeUsed = days.reduce((sum, d) => sum + d.hours, 0)
  const catalogueUsed = Number(a.used ?? 0)
  const used: AllocationUsage['grants'] = []
  for (const g of grants) {
    let figure = g.unit === a.unit ? catalogueUsed : 0
    if (g.unit === firstCompute?.unit) figure += computeUsed
    else if (g.unit === 'tb' || g.unit === 'tb-tape' || g.unit === 'tb-years') {
      const on = coveredEndpoints(a, g.unit === 'tb-years' ? 'any' : g.unit, endpoints, services)
      const held = await heldUnder(ctx, community, on, start)
      figure += g.unit === 'tb-years' ? held.byteDays / 365 / tb : held.heldBytes / tb
    } else if (g.unit === 'tb-transferred') {
      const on = coveredEndpoints(a, 'any', endpoints, services)
      figure +=
        (await transferredTo(
          ctx,
          community,
          on.map((e) => e.id),
          start,
        )) / tb
    }
    used.push({
      unit: g.unit as AllocationUsage['grants'][number]['unit'],
      amount: g.amount,
      used: figure,
      left: g.amount - figure,
    })
  }
  let cumulative = firstCompute?.unit === a.unit ? catalogueUsed : 0
  return {
    name: a.name,
    community,
    services: expression,
    coveredServices: covered,
    periodStart: (a.periodStart as string | null) ?? null,
    periodEnd: (a.periodEnd as string | null) ?? null,
    renewable: a.renewable === true,
    example: a.example === true,
    active: allocationActive(a, ctx.clock.now()),
    grants: used,
    tasks: days.reduce((sum, d) => sum + d.tasks, 0),
    burnDown: days.map((d) => ({ day: d.day, used: (cumulative += d.hours) })),
  }
}
