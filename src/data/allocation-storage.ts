/**
 * Storage allocations in the data federation. An allocation granting TB on disk (`tb`) or on
 * tape (`tb-tape`) covers the storage endpoints of the catalogue storage services its expression
 * selects: an endpoint belongs to a service when its `storageService` attribute (a storage
 * binding) names it, or else when its `site` attribute names the service's site. What the community's rules lock on the covered
 * endpoints, together, may not pass the grant: a rule that would is refused like a quota
 * (QUOTA_EXCEEDED, with the allocation named). What is held is charged by heldOnEndpoints.
 */
import {
  allocationActive,
  allocationExpression,
  allocationGrants,
  coveredNames,
  listAllocationServices,
  listAllRecords,
  type CoveredService,
  type WireRecord,
} from '../catalog/index.js'
import type { Endpoint } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { heldOnEndpoints } from './allocation-storage-store.js'
import { lockedBytesByEndpoint } from './quotas-store.js'

const tb = 1e12
const storageUnits: Record<string, (media: string) => boolean> = {
  tb: (media) => media !== 'tape',
  'tb-tape': (media) => media === 'tape',
}

/** The endpoints (ids) an allocation's storage grant in `unit` covers. */
export function coveredEndpoints(
  a: WireRecord,
  unit: string,
  endpoints: readonly Endpoint[],
  services: readonly CoveredService[],
): Endpoint[] {
  let names: Set<string>
  try {
    names = new Set(coveredNames(allocationExpression(a), services))
  } catch {
    return []
  }
  const fits = storageUnits[unit] ?? (() => true)
  const covered = services.filter(
    (s) => s.type === 'storage' && names.has(s.name) && fits(String(s.attributes.media)),
  )
  const byName = new Set(covered.map((s) => s.name))
  const bySite = new Set(covered.map((s) => s.attributes.site).filter((x) => x !== undefined))
  return endpoints.filter((e) => {
    // Bound by `continuum storage bind` (workflows' storage-bindings.ts) or set by hand.
    const service = e.attributes.storageService ?? e.attributes.service
    if (typeof service === 'string') return byName.has(service)
    return bySite.has(e.attributes.site as string)
  })
}

/** Refuses placing `need` (bytes per endpoint id) when it takes `owner` past a storage grant. */
export async function assertStorageAllocations(
  tx: Executor,
  owner: string,
  need: ReadonlyMap<string, number>,
  endpoints: readonly Endpoint[],
  now: Date,
): Promise<void> {
  const mine = (await listAllRecords(tx, 'allocation')).filter(
    (a) =>
      a.community === owner &&
      allocationActive(a, now) &&
      allocationGrants(a).some((g) => g.unit in storageUnits),
  )
  if (mine.length === 0) return
  const services = await listAllocationServices(tx)
  let used: Map<string, number> | undefined
  for (const a of mine) {
    for (const g of allocationGrants(a).filter((x) => x.unit in storageUnits)) {
      const covered = coveredEndpoints(a, g.unit, endpoints, services)
      const touched = covered.filter((e) => (need.get(e.id) ?? 0) > 0)
      if (touched.length === 0) continue
      used ??= await lockedBytesByEndpoint(tx, owner)
      const total = covered.reduce((sum, e) => sum + (used!.get(e.id) ?? 0), 0)
      const limit = g.amount * tb
      if (total <= limit) continue
      const extra = touched.reduce((sum, e) => sum + (need.get(e.id) ?? 0), 0)
      throw new ContinuumError(
        'QUOTA_EXCEEDED',
        `${owner} would hold ${total} bytes on the storage allocation ${a.name} covers; it grants ${g.amount} ${g.unit} (${total - extra} bytes held, this rule needs ${extra} on ${touched.map((e) => e.name).join(', ')})`,
        {
          owner,
          allocation: a.name,
          endpoints: touched.map((e) => e.name),
          quotaBytes: limit,
          usedBytes: total - extra,
          neededBytes: extra,
        },
      )
    }
  }
}

/** What `community` holds on `endpoints` now and its byte-days since `since` (allocations). */
export function heldUnder(
  ctx: Context,
  community: string,
  endpoints: readonly Endpoint[],
  since: Date,
): Promise<{ heldBytes: number; byteDays: number }> {
  return heldOnEndpoints(
    ctx.db,
    community,
    endpoints.map((e) => e.id),
    since,
    ctx.clock.now(),
  )
}
