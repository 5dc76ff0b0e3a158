/**
 * Allocations of the scenario: amounts per community over a period, usable on the sites an
 * expression selects — evaluated by the data federation's expression evaluator (the grammar of
 * endpoint expressions, over the sites' attributes). Core-hours are charged when tasks start;
 * the broker sees what is left per community on each site, as it sees the catalogue's.
 */
import type { Scenario } from '../contract/index.js'
import { EndpointIndex } from '../data/index.js'
import { ContinuumError } from '../platform/index.js'
import type { SimSite } from './world.js'

export interface SimAllocation {
  name: string
  community: string
  coreHours: number | null
  diskBytes: number | null
  sites: Set<string>
  startHour: number
  endHour: number
  usedCoreHours: number
  /** Hour the core-hours ran out, if they did. */
  exhaustedHour: number | null
}

export class AllocationState {
  readonly list: SimAllocation[] = []

  constructor(s: Scenario, sites: readonly SimSite[]) {
    const index = new EndpointIndex(
      sites.map((x) => ({
        name: x.name,
        attributes: { site: x.name, ...(x.country ? { country: x.country } : {}), ...x.attributes },
      })),
    )
    s.communities.forEach((c, ci) =>
      c.allocations?.forEach((a, i) => {
        let selected: string[]
        try {
          selected = index.select(a.services).map((e) => e.name)
        } catch (err) {
          throw new ContinuumError(
            'SCENARIO_INVALID',
            `allocation ${a.name}: ${err instanceof Error ? err.message : String(err)}`,
            {
              errors: [
                {
                  field: `communities.${ci}.allocations.${i}.services`,
                  message: 'selects no site',
                },
              ],
            },
          )
        }
        this.list.push({
          name: a.name,
          community: c.name,
          coreHours: a.coreHours ?? null,
          diskBytes: a.diskTB === undefined ? null : a.diskTB * 1e12,
          sites: new Set(selected),
          startHour: (a.startDay ?? 0) * 24,
          endHour: (a.endDay ?? s.days) * 24,
          usedCoreHours: 0,
          exhaustedHour: null,
        })
      }),
    )
  }

  private active(a: SimAllocation, hour: number): boolean {
    return hour >= a.startHour && hour < a.endHour
  }

  /** Core-hours left per community on a site (null: no compute allocation covers it). */
  coreHoursAt(site: string, hour: number): Map<string, number> | null {
    let out: Map<string, number> | null = null
    for (const a of this.list) {
      if (a.coreHours === null || !a.sites.has(site)) continue
      out ??= new Map()
      const left = this.active(a, hour) ? Math.max(0, a.coreHours - a.usedCoreHours) : 0
      out.set(a.community, (out.get(a.community) ?? 0) + left)
    }
    return out
  }

  charge(community: string, site: string, hour: number, coreHours: number): void {
    const covering = this.list.filter(
      (a) =>
        a.community === community &&
        a.coreHours !== null &&
        a.sites.has(site) &&
        this.active(a, hour),
    )
    const a = covering.find((x) => x.usedCoreHours < x.coreHours!) ?? covering[0]
    if (!a) return
    a.usedCoreHours += coreHours
    if (a.exhaustedHour === null && a.usedCoreHours >= a.coreHours!) a.exhaustedHour = hour
  }
}
