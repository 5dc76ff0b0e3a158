/**
 * Which due requests a worker takes (pure). Each link gets at most its free slots; within a link
 * the slots go to communities in proportion to their weights, and within a community to its
 * activities in proportion to theirs (FTS's VO shares, then activity shares). Requests already
 * active count: a community with many long transfers in flight gets fewer new slots. Links are
 * served round robin so one busy link cannot take the whole worker.
 */
import type { ClaimSituation } from '../transfer-claims.js'

type Candidate = ClaimSituation['candidates'][number]

/** Weight of a name in a share table; names not listed weigh 1. */
function weightOf(table: ReadonlyMap<string, number>, name: string): number {
  const w = table.get(name)
  return w !== undefined && w > 0 ? w : 1
}

interface Group<T> {
  key: string
  weight: number
  /** Active plus taken in this round. */
  used: number
  items: T
}

/** The group with the smallest used/weight ratio that still has work (stride scheduling). */
function pickGroup<T>(
  groups: Array<Group<T>>,
  hasWork: (g: Group<T>) => boolean,
): Group<T> | undefined {
  let best: Group<T> | undefined
  for (const g of groups) {
    if (!hasWork(g)) continue
    if (
      !best ||
      g.used / g.weight < best.used / best.weight ||
      (g.used / g.weight === best.used / best.weight && g.key < best.key)
    ) {
      best = g
    }
  }
  return best
}

/** One link's queues as community → activity → candidates (already in priority order). */
function linkTree(
  candidates: Candidate[],
  active: ClaimSituation['active'],
  shares: ClaimSituation['shares'],
) {
  const communities = new Map<string, Group<Map<string, Group<Candidate[]>>>>()
  for (const c of candidates) {
    let community = communities.get(c.community)
    if (!community) {
      community = {
        key: c.community,
        weight: weightOf(shares.community, c.community),
        used: 0,
        items: new Map(),
      }
      communities.set(c.community, community)
    }
    let activity = community.items.get(c.activity)
    if (!activity) {
      activity = {
        key: c.activity,
        weight: weightOf(shares.activity, c.activity),
        used: 0,
        items: [],
      }
      community.items.set(c.activity, activity)
    }
    activity.items.push(c)
  }
  for (const a of active) {
    const community = communities.get(a.community)
    if (!community) continue
    community.used += a.n
    const activity = community.items.get(a.activity)
    if (activity) activity.used += a.n
  }
  return [...communities.values()]
}

function nextOf(tree: ReturnType<typeof linkTree>): Candidate | undefined {
  const hasWork = (g: Group<Map<string, Group<Candidate[]>>>) =>
    [...g.items.values()].some((a) => a.items.length > 0)
  const community = pickGroup(tree, hasWork)
  if (!community) return undefined
  const activity = pickGroup([...community.items.values()], (a) => a.items.length > 0)!
  community.used++
  activity.used++
  return activity.items.shift()
}

/** Picks up to `situation.limit` request ids: the fair-share order described above. */
export function chooseTransfers(situation: ClaimSituation): string[] {
  const byLink = new Map<string, Candidate[]>()
  for (const c of situation.candidates) {
    const k = `${c.source}|${c.dest}`
    byLink.set(k, [...(byLink.get(k) ?? []), c])
  }
  const links = situation.links
    .map((l) => {
      const k = `${l.source}|${l.dest}`
      const active = situation.active.filter((a) => a.source === l.source && a.dest === l.dest)
      return {
        key: k,
        free: l.limit - l.active,
        tree: linkTree(byLink.get(k) ?? [], active, situation.shares),
      }
    })
    .filter((l) => l.free > 0)
    .sort((a, b) => a.key.localeCompare(b.key))
  const chosen: string[] = []
  let progress = true
  while (chosen.length < situation.limit && progress) {
    progress = false
    for (const link of links) {
      if (chosen.length >= situation.limit) break
      if (link.free <= 0) continue
      const next = nextOf(link.tree)
      if (!next) {
        link.free = 0
        continue
      }
      chosen.push(next.id)
      link.free--
      progress = true
    }
  }
  return chosen
}
