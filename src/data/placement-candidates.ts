/**
 * The endpoints a rule may place copies on, as the placement sees them (pure): those its
 * expression selects that take writes, with the rule's weight attribute and their free space.
 * The rule engine and the what-if simulator (src/simulate) both call it, so that a simulated
 * placement is the rule engine's own decision.
 */
import type { Endpoint } from '../contract/index.js'
import { selectEndpoints } from './endpoints.js'
import type { PlacementEndpoint } from './rule-placement.js'

export function placementCandidates(
  endpoints: readonly Endpoint[],
  rule: { expression: string; weight: string | null },
): PlacementEndpoint[] {
  return selectEndpoints(endpoints, rule.expression)
    .filter((e) => e.availableWrite)
    .map((e) => ({
      id: e.id,
      name: e.name,
      weight: rule.weight === null ? 0 : Number(e.attributes[rule.weight] ?? 0) || 0,
      freeBytes: e.capacityBytes === null ? Number.MAX_SAFE_INTEGER : e.capacityBytes - e.usedBytes,
    }))
}
