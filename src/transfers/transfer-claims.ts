/**
 * Claiming transfer requests: the scheduler's side of the queue. A worker leases due requests
 * per link (leases that ran out go back to their queue first), within each link's limit and, with
 * a fair-share chooser, the activities' and communities' shares; it keeps its leases alive with
 * heartbeats. Every state change is logged (transfer_events).
 */
import type { Context, Executor } from '../db/index.js'
import { insertEvents } from './history-store.js'
import {
  countActiveByQueue,
  endTransferLeasesOf,
  listQueueCandidates,
  listTransferClaimants,
  listShareRows,
  lockLinks,
  markClaimed,
  requeueExpiredLeases,
  type LinkKey,
  type QueueCandidate,
  type QueueKey,
} from './queue-store.js'
import { heartbeatTransfer as heartbeatRow } from './requests-store.js'

/** What the scheduler sees when it claims: the links with free slots and their queues' heads. */
export interface ClaimSituation {
  links: Array<LinkKey & { limit: number; active: number }>
  /** The first due requests of every queue on those links, in priority then age order. */
  candidates: QueueCandidate[]
  /** Active transfers per queue (they count against their community's and activity's share). */
  active: Array<QueueKey & { n: number }>
  shares: { activity: Map<string, number>; community: Map<string, number> }
  /** How many this worker can take. */
  limit: number
}

/**
 * Claims due transfers for one worker: leases that ran out go back to their queue first, then
 * `choose` picks among the heads of the queues of every link that has free slots (links being
 * scheduled by another worker are skipped, so a link's limit holds with several workers).
 */
export async function claimTransfers(
  ctx: Context,
  worker: string,
  options: { leaseMs: number; limit: number; choose?: (s: ClaimSituation) => string[] },
): Promise<string[]> {
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now()
    const expired = await requeueExpiredLeases(tx, now, 1000)
    await insertEvents(
      tx,
      expired.map((e) => ({
        transfer_id: e.id,
        at: now,
        from_state: 'submitted',
        to_state: 'queued',
        reason: `the lease of ${e.worker ?? 'a worker'} ran out`,
      })),
    )
    if (options.limit <= 0) return []
    const links = await lockLinks(tx)
    const active = await countActiveByQueue(tx)
    const activeByLink = new Map<string, number>()
    for (const a of active) {
      activeByLink.set(
        `${a.source}|${a.dest}`,
        (activeByLink.get(`${a.source}|${a.dest}`) ?? 0) + a.n,
      )
    }
    const open = links
      .map((l) => ({
        source: l.source_endpoint_id,
        dest: l.dest_endpoint_id,
        limit: Math.min(l.active_limit, l.max_active),
        active: activeByLink.get(`${l.source_endpoint_id}|${l.dest_endpoint_id}`) ?? 0,
      }))
      .filter((l) => l.active < l.limit)
    // Links are served round robin: none can take much more than its turn of the worker's limit,
    // so each queue is probed for that many first; only when that leaves the worker short while
    // some queue may hold more (idle links took no turn) are the queues probed for their full share.
    const turn = Math.ceil((2 * options.limit) / Math.max(1, open.length)) + 1
    const choose = options.choose ?? firstComeFirstServed
    const shares = await loadShares(tx)
    let candidates = await listQueueCandidates(
      tx,
      open.map((l) => ({ ...l, n: Math.min(l.limit - l.active, options.limit, turn) })),
      now,
    )
    let ids = choose({ links: open, candidates, active, shares, limit: options.limit })
    if (ids.length < options.limit && turn < options.limit && hasFullQueue(candidates, turn)) {
      candidates = await listQueueCandidates(
        tx,
        open.map((l) => ({ ...l, n: Math.min(l.limit - l.active, options.limit) })),
        now,
      )
      ids = choose({ links: open, candidates, active, shares, limit: options.limit })
    }
    if (candidates.length === 0) return []
    const claimed = await markClaimed(
      tx,
      ids,
      worker,
      new Date(now.getTime() + options.leaseMs),
      now,
    )
    await insertEvents(
      tx,
      claimed.map((id) => ({
        transfer_id: id,
        at: now,
        from_state: 'queued',
        to_state: 'submitted',
        reason: `claimed by ${worker}`,
      })),
    )
    return claimed
  })
}

/** Whether some queue returned all it was asked for (it may hold more). */
function hasFullQueue(candidates: QueueCandidate[], n: number): boolean {
  const counts = new Map<string, number>()
  for (const c of candidates) {
    const k = `${c.source}|${c.dest}|${c.community}|${c.activity}`
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return [...counts.values()].some((x) => x >= n)
}

/** Without a fair-share policy: the heads of the queues in age order, within each link's free slots. */
function firstComeFirstServed(s: ClaimSituation): string[] {
  const free = new Map(s.links.map((l) => [`${l.source}|${l.dest}`, l.limit - l.active]))
  const ids: string[] = []
  for (const c of [...s.candidates].sort(
    (a, b) => a.notBefore.getTime() - b.notBefore.getTime() || a.id.localeCompare(b.id),
  )) {
    const k = `${c.source}|${c.dest}`
    if (ids.length >= s.limit) break
    if ((free.get(k) ?? 0) <= 0) continue
    free.set(k, free.get(k)! - 1)
    ids.push(c.id)
  }
  return ids
}

async function loadShares(db: Executor): Promise<ClaimSituation['shares']> {
  const shares = { activity: new Map<string, number>(), community: new Map<string, number>() }
  for (const r of await listShareRows(db)) {
    ;(r.kind === 'activity' ? shares.activity : shares.community).set(r.name, Number(r.weight))
  }
  return shares
}

export async function heartbeatTransfer(
  ctx: Context,
  id: string,
  worker: string,
  leaseMs: number,
): Promise<boolean> {
  return heartbeatRow(ctx.db, id, worker, new Date(ctx.clock.now().getTime() + leaseMs))
}

/**
 * Ends the transfer leases of workers known to be gone (`isGone`, see platform/worker-ids.ts),
 * so that a restarted worker requeues their transfers at once instead of after the lease, and
 * they stop counting as active. Returns how many leases it ended.
 */
export async function endTransferLeasesOfGoneWorkers(
  ctx: Context,
  isGone: (workerId: string) => boolean,
): Promise<number> {
  const gone = (await listTransferClaimants(ctx.db)).filter(isGone)
  return endTransferLeasesOf(ctx.db, gone, ctx.clock.now())
}
