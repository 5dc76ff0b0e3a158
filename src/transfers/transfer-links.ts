/**
 * Transfer links (source endpoint → destination endpoint) and shares: statistics per link, the
 * configured ceiling, the optimiser's passes (the decision itself is the caller's: see
 * transfers/scheduler/optimiser.ts) and the activity and community share weights.
 */
import type {
  Endpoint,
  TransferLinkStats,
  TransferLinkUpdate,
  TransferShare,
  TransferStats,
} from '../contract/index.js'
import { anySource, listEndpoints } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { sumAttemptsSince } from './history-store.js'
import {
  countRequestsByLink,
  deleteShareRow,
  findLinkRow,
  insertLinkRow,
  listClosedLinks,
  listLinkRows,
  listShareRows,
  lockLinksToEvaluate,
  updateLinkRow,
  upsertShareRow,
  type LinkKey,
} from './queue-store.js'

async function endpointNames(ctx: Context): Promise<Map<string, string>> {
  const names = new Map((await listEndpoints(ctx)).map((e) => [e.id, e.name]))
  names.set(anySource, '*')
  return names
}

/** Per link: active, queued, limits, and what the last `windowSeconds` of attempts did. */
export async function getTransferStats(ctx: Context, windowSeconds = 3600): Promise<TransferStats> {
  const now = ctx.clock.now()
  const names = await endpointNames(ctx)
  const counts = new Map(
    (await countRequestsByLink(ctx.db)).map((c) => [`${c.source}|${c.dest}`, c]),
  )
  const windows = new Map(
    (await sumAttemptsSince(ctx.db, new Date(now.getTime() - windowSeconds * 1000))).map((w) => [
      `${w.source}|${w.dest}`,
      w,
    ]),
  )
  const links: TransferLinkStats[] = (await listLinkRows(ctx.db)).map((l) => {
    const key = `${l.source_endpoint_id}|${l.dest_endpoint_id}`
    const c = counts.get(key)
    const w = windows.get(key)
    const attempts = (w?.done ?? 0) + (w?.failed ?? 0)
    // Throughput over the time the link was busy in the window, not the whole window.
    const span =
      w?.first && w.last
        ? Math.max(
            0.001,
            (w.last.getTime() - Math.max(w.first.getTime(), now.getTime() - windowSeconds * 1000)) /
              1000,
          )
        : 0
    return {
      source: names.get(l.source_endpoint_id) ?? l.source_endpoint_id,
      destination: names.get(l.dest_endpoint_id) ?? l.dest_endpoint_id,
      active: c?.active ?? 0,
      queued: c?.queued ?? 0,
      activeLimit: l.active_limit,
      maxActive: l.max_active,
      done: w?.done ?? 0,
      failed: w?.failed ?? 0,
      successRate: attempts ? (w?.done ?? 0) / attempts : null,
      throughputBps: span > 0 ? (w?.bytes ?? 0) / span : 0,
      lastDecision: l.last_decision,
      evaluatedAt: l.evaluated_at === null ? null : new Date(l.evaluated_at).toISOString(),
      closed: l.closed,
    }
  })
  links.sort(
    (a, b) => a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination),
  )
  return { windowSeconds, links }
}

async function linkKeyOf(ctx: Context, source: string, destination: string): Promise<LinkKey> {
  const rows = await listEndpoints(ctx)
  const idOf = (name: string) =>
    name === '*' ? anySource : rows.find((e) => e.name === name || e.id === name)?.id
  const key = { source: idOf(source), dest: idOf(destination) }
  if (!key.source || !key.dest || key.dest === anySource) {
    throw new ContinuumError(
      'ENDPOINT_NOT_FOUND',
      `no endpoint '${key.source ? destination : source}'`,
      { source, destination },
    )
  }
  return { source: key.source, dest: key.dest }
}

/**
 * Sets a link's ceiling (the optimiser's limit is clamped to it) and whether it is closed (no
 * direct route: its requests go multi-hop), creating the link if needed.
 */
export async function setTransferLink(
  ctx: Context,
  input: TransferLinkUpdate,
): Promise<TransferLinkStats> {
  if (input.maxActive === undefined && input.closed === undefined) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      'nothing to change: give maxActive and/or closed',
      { field: 'maxActive' },
    )
  }
  const key = await linkKeyOf(ctx, input.source, input.destination)
  if (input.closed !== undefined && key.source === anySource) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      "only a link between two endpoints can be closed, not one from '*'",
      { field: 'source' },
    )
  }
  await ctx.db.transaction().execute(async (tx) => {
    await insertLinkRow(tx, key)
    const link = (await findLinkRow(tx, key))!
    await updateLinkRow(tx, key, {
      ...(input.maxActive === undefined
        ? {}
        : {
            max_active: input.maxActive,
            active_limit: Math.min(link.active_limit, input.maxActive),
          }),
      ...(input.closed === undefined ? {} : { closed: input.closed }),
    })
  })
  const names = await endpointNames(ctx)
  const stats = await getTransferStats(ctx)
  return stats.links.find(
    (l) => l.source === names.get(key.source) && l.destination === names.get(key.dest),
  )!
}

/** What routing needs: every endpoint and the closed links (as `sourceId|destId`). */
export async function loadTransferNetwork(
  ctx: Context,
): Promise<{ endpoints: Endpoint[]; closed: Set<string> }> {
  const endpoints = await listEndpoints(ctx)
  const closed = new Set((await listClosedLinks(ctx.db)).map((l) => `${l.source}|${l.dest}`))
  return { endpoints, closed }
}

export interface LinkWindow extends LinkKey {
  limit: number
  maxActive: number
  previousThroughput: number | null
  window: { done: number; failed: number; unreachable: number; bytes: number; seconds: number }
  saturated: boolean
}

/**
 * One optimiser pass over the links not evaluated for `intervalMs` (locked, so that one worker
 * evaluates each link): `decide` gets each link's window and returns the new limit.
 */
export async function evaluateLinks(
  ctx: Context,
  intervalMs: number,
  decide: (w: LinkWindow) => {
    limit: number
    throughput: number | null
    successRate: number | null
    reason: string
  },
): Promise<number> {
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now()
    const links = await lockLinksToEvaluate(tx, new Date(now.getTime() - intervalMs))
    if (links.length === 0) return 0
    const oldest = links.reduce(
      (t, l) =>
        Math.min(
          t,
          l.evaluated_at === null ? now.getTime() - intervalMs : new Date(l.evaluated_at).getTime(),
        ),
      now.getTime(),
    )
    const sums = new Map(
      (await sumAttemptsSince(tx, new Date(oldest))).map((w) => [`${w.source}|${w.dest}`, w]),
    )
    const counts = new Map((await countRequestsByLink(tx)).map((c) => [`${c.source}|${c.dest}`, c]))
    for (const l of links) {
      const key = `${l.source_endpoint_id}|${l.dest_endpoint_id}`
      const since =
        l.evaluated_at === null ? now.getTime() - intervalMs : new Date(l.evaluated_at).getTime()
      // The sums start at the oldest link's window; a link evaluated later reads a little more, which the next pass evens out.
      const w = sums.get(key)
      const c = counts.get(key)
      const limit = Math.min(l.active_limit, l.max_active)
      const decision = decide({
        source: l.source_endpoint_id,
        dest: l.dest_endpoint_id,
        limit,
        maxActive: l.max_active,
        previousThroughput: l.throughput_bps,
        window: {
          done: w?.done ?? 0,
          failed: w?.failed ?? 0,
          unreachable: w?.unreachable ?? 0,
          bytes: w?.bytes ?? 0,
          seconds: Math.max(0.001, (now.getTime() - since) / 1000),
        },
        saturated:
          (c?.queued ?? 0) > 0 && (c?.active ?? 0) + (w?.done ?? 0) + (w?.failed ?? 0) >= limit,
      })
      await updateLinkRow(
        tx,
        { source: l.source_endpoint_id, dest: l.dest_endpoint_id },
        {
          active_limit: decision.limit,
          throughput_bps: decision.throughput,
          success_rate: decision.successRate,
          last_decision: decision.reason,
          evaluated_at: now,
        },
      )
    }
    return links.length
  })
}

export async function listTransferShares(ctx: Context): Promise<TransferShare[]> {
  return (await listShareRows(ctx.db)).map((r) => ({
    kind: r.kind as TransferShare['kind'],
    name: r.name,
    weight: Number(r.weight),
  }))
}

export async function setTransferShare(ctx: Context, share: TransferShare): Promise<TransferShare> {
  await upsertShareRow(ctx.db, share)
  return share
}

export async function deleteTransferShare(ctx: Context, kind: string, name: string): Promise<void> {
  if (!(await deleteShareRow(ctx.db, kind, name))) {
    throw new ContinuumError('VALIDATION_FAILED', `no ${kind} share '${name}'`, { kind, name })
  }
}
