/**
 * Names what limits a run, each with the action that would relieve it, in the gap report's
 * terms: a target (`storage:SITE`, `link:A→B`, `compute:SITE`, `allocation:NAME`), the change,
 * and the requirement key whose SRIDA phase the gap report uses for its own ranked actions.
 */
import type { Bottleneck } from '../contract/index.js'
import { requirementAreas } from '../landscape/index.js'
import type { SimLink } from './world.js'

type Kind = Bottleneck['kind']

export function bottleneck(
  kind: Kind,
  at: Date,
  hour: number,
  where: string,
  detail: string,
  action: { target: string; change: string; requirement: string },
): Bottleneck {
  return {
    kind,
    at: at.toISOString(),
    hour: Math.round(hour * 100) / 100,
    where,
    detail,
    action: { ...action, phase: requirementAreas[action.requirement]?.[1] ?? 'integration' },
  }
}

const gbps = (bps: number) => Math.round((bps / 1e9) * 10) / 10

/** What a busy link needs: more concurrency, more bandwidth, or more WAN at one end. */
export function linkAction(
  link: SimLink,
  throughputBps: number,
  wanLimited: string | null,
): { target: string; change: string; requirement: string } {
  const target = `link:${link.from}→${link.to}`
  if (wanLimited) {
    return {
      target: `site:${wanLimited}`,
      change: `raise ${wanLimited}'s wide-area network above its current capacity (its links are held to it while ${target} has a backlog)`,
      requirement: 'constraints.networkGbps',
    }
  }
  if (throughputBps >= 0.9 * link.bps) {
    return {
      target,
      change: `raise the bandwidth of ${link.from}→${link.to} above ${gbps(link.bps)} Gb/s (it runs at ${gbps(throughputBps)} Gb/s, full)`,
      requirement: 'constraints.networkGbps',
    }
  }
  return {
    target,
    change: `raise the concurrent transfers of ${link.from}→${link.to} above ${link.maxActive} (or the per-transfer rate): ${gbps(throughputBps)} of ${gbps(link.bps)} Gb/s used`,
    requirement: 'data.egressGbps',
  }
}
