/**
 * Transfer requests: what the rule engine asks the transfer agent to copy. These use cases are
 * the agent's side of the contract — claim (per link, with a lease), plan (sources and
 * destination), heartbeat, complete (replica available, locks ok) or fail (retry later from
 * another source, or give up and mark the locks stuck with the classified reason). Every attempt
 * is recorded (transfer_attempts) and every state change logged (transfer_events).
 */
import type { Endpoint, FailureClass, Transfer, TransferDetail } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, visibleCommunities } from '../platform/index.js'
import { findScopeRow } from './dids-store.js'
import { addUsedBytes, listEndpointRows } from './endpoints-store.js'
import { protocolsFor, toEndpoint } from './endpoints.js'
import { findReplicaRow, listReplicaRowsOf, updateReplicaRow } from './replicas-store.js'
import { replicaUrl } from './replicas.js'
import {
  anySource,
  countActiveByQueue,
  ensureQueues,
  insertAttemptRow,
  insertEvents,
  listAttemptRows,
  listEventRows,
  listQueueCandidates,
  listShareRows,
  lockLinks,
  markClaimed,
  requeueExpiredLeases,
  type LinkKey,
  type QueueCandidate,
  type QueueKey,
} from './transfer-queue-store.js'
import { allowedSources, findSourceFor, usableSources } from './transfer-sources.js'
import {
  findTransferRow,
  heartbeatTransfer as heartbeatRow,
  listTransferRows,
  lockClaimedTransfer,
  moveLocksOnReplica,
  updateTransferRow,
  type TransferRow,
} from './rules-store.js'

export interface TransferSource {
  endpoint: string
  endpointId: string
  urls: string[]
}

export interface TransferPlan {
  id: string
  scope: string
  name: string
  bytes: number
  adler32: string | null
  attempt: number
  maxAttempts: number
  destination: { endpoint: string; endpointId: string; path: string; urls: string[] }
  /** Available replicas allowed by the source expression: the link's source first, the last failed one at the end. */
  sources: Array<TransferSource & { path: string }>
}

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

export async function planTransfer(ctx: Context, id: string): Promise<TransferPlan> {
  const row = await mustFindTransfer(ctx, id)
  const list = (await listEndpointRows(ctx.db)).map(toEndpoint)
  const endpoints = new Map(list.map((e) => [e.id, e]))
  const destination = endpoints.get(row.endpoint_id)!
  const replicas = usableSources(
    await listReplicaRowsOf(ctx.db, [row]),
    endpoints,
    allowedSources(list, row.source_expression),
    row.endpoint_id,
    [row.last_source],
  )
  // The link's source first: the scheduler counted this transfer against that link.
  replicas.sort(
    (a, b) =>
      Number(b.endpoint_id === row.source_endpoint_id) -
      Number(a.endpoint_id === row.source_endpoint_id),
  )
  const destPath = (await findReplicaRow(ctx.db, row, row.endpoint_id))?.path
  if (!destPath) {
    throw new ContinuumError(
      'REPLICA_NOT_FOUND',
      `no replica row for ${row.scope}:${row.name} at ${destination.name}`,
      { transfer: id },
    )
  }
  return {
    id: row.id,
    scope: row.scope,
    name: row.name,
    bytes: Number(row.bytes),
    adler32: row.adler32,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    destination: {
      endpoint: destination.name,
      endpointId: destination.id,
      path: destPath,
      urls: urlsFor(destination, destPath, 'write'),
    },
    sources: replicas.map((r) => {
      const e = endpoints.get(r.endpoint_id)!
      return { endpoint: e.name, endpointId: e.id, path: r.path, urls: urlsFor(e, r.path, 'read') }
    }),
  }
}

function urlsFor(endpoint: Endpoint, path: string, op: 'read' | 'write'): string[] {
  return protocolsFor(endpoint, op).map((p) => replicaUrl(p.url, path))
}

/** What one attempt did, for the attempt history and the optimiser. */
export interface AttemptReport {
  sourceEndpointId?: string | undefined
  startedAt: Date
  /** Bytes moved (0 for a failure). */
  bytes: number
  /** Intermediate endpoint names of a multi-hop attempt, in order. */
  via?: readonly string[] | undefined
}

async function recordAttempt(
  tx: Executor,
  row: TransferRow,
  worker: string,
  report: AttemptReport,
  now: Date,
  failure?: { failureClass: string; error: string },
): Promise<void> {
  await insertAttemptRow(tx, {
    transfer_id: row.id,
    attempt: row.attempts,
    source_endpoint_id: report.sourceEndpointId ?? null,
    dest_endpoint_id: row.endpoint_id,
    worker,
    started_at: report.startedAt,
    finished_at: now,
    bytes: failure ? 0 : report.bytes,
    outcome: failure ? 'failed' : 'done',
    failure_class: failure?.failureClass ?? null,
    message: failure?.error ?? null,
    via: report.via?.length ? report.via.join(',') : null,
  })
}

/**
 * The bytes arrived and were verified: the replica becomes available, its locks ok. 'lost' when
 * this worker no longer holds the request (nothing changes); 'unwanted' when the replica was
 * reaped meanwhile (its rules expired) — the caller then deletes the bytes it wrote.
 */
export async function completeTransfer(
  ctx: Context,
  id: string,
  worker: string,
  report: AttemptReport,
): Promise<'done' | 'lost' | 'unwanted'> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockClaimedTransfer(tx, id, worker)
    if (!row) return 'lost'
    const now = ctx.clock.now()
    await updateTransferRow(tx, id, {
      state: 'done',
      last_error: null,
      failure_class: null,
      claimed_by: null,
      claimed_until: null,
      updated_at: now,
    })
    await recordAttempt(tx, row, worker, report, now)
    await insertEvents(tx, [
      {
        transfer_id: id,
        at: now,
        from_state: 'submitted',
        to_state: 'done',
        reason: `verified copy from ${report.sourceEndpointId ?? 'unknown source'}${report.via?.length ? ` via ${report.via.join(' → ')}` : ''}`,
      },
    ])
    const replica = await findReplicaRow(tx, row, row.endpoint_id, true)
    if (replica && replica.state !== 'available') {
      await updateReplicaRow(tx, row, row.endpoint_id, {
        state: 'available',
        updated_at: now,
        ...(replica.lock_count === 0 ? { tombstone: now } : {}),
      })
      await addUsedBytes(tx, row.endpoint_id, Number(row.bytes))
    }
    if (!replica) return 'unwanted'
    await moveLocksOnReplica(
      tx,
      { ...row, endpointId: row.endpoint_id },
      ['replicating', 'stuck'],
      'ok',
      null,
      now,
    )
    return 'done'
  })
}

export interface FailureReport extends AttemptReport {
  error: string
  failureClass: string
  /** False for classes that no retry can fix (permission, destination full). */
  retryable: boolean
  /** The failure is the source's (file missing there): retry only from another source. */
  needsOtherSource: boolean
  /** Back-off before the next attempt (the caller adds jitter). */
  delayMs: number
}

/**
 * A try failed. A retryable failure before the last attempt queues the request again after the
 * back-off, on the link from another source when there is one; otherwise the request fails and
 * every lock waiting for this replica is stuck with the classified error as its reason.
 */
export async function failTransfer(
  ctx: Context,
  id: string,
  worker: string,
  failure: FailureReport,
): Promise<'retry' | 'failed' | 'lost'> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockClaimedTransfer(tx, id, worker)
    if (!row) return 'lost'
    const now = ctx.clock.now()
    const error = failure.error.slice(0, 2000)
    await recordAttempt(tx, row, worker, failure, now, {
      failureClass: failure.failureClass,
      error,
    })
    const failedSource = failure.sourceEndpointId ?? row.last_source
    const base = {
      last_error: error,
      failure_class: failure.failureClass,
      last_source: failedSource,
      claimed_by: null,
      claimed_until: null,
      updated_at: now,
    }
    const next = await findSourceFor(tx, row, row.endpoint_id, row.source_expression, [
      failedSource,
    ])
    const otherSource = next !== anySource && next !== failedSource
    if (
      failure.retryable &&
      (!failure.needsOtherSource || otherSource) &&
      row.attempts < row.max_attempts
    ) {
      await ensureQueues(tx, [
        { source: next, dest: row.endpoint_id, community: row.community, activity: row.activity },
      ])
      await updateTransferRow(tx, id, {
        ...base,
        state: 'queued',
        source_endpoint_id: next,
        not_before: new Date(now.getTime() + failure.delayMs),
      })
      const reason = `${failure.failureClass}: ${error}; retry in ${Math.round(failure.delayMs / 1000)} s${otherSource ? ' from another source' : ''}`
      await insertEvents(tx, [
        { transfer_id: id, at: now, from_state: 'submitted', to_state: 'queued', reason },
      ])
      return 'retry'
    }
    await updateTransferRow(tx, id, { ...base, state: 'failed' })
    const why =
      row.attempts >= row.max_attempts
        ? `after ${row.attempts} attempts`
        : `not retried (attempt ${row.attempts})`
    const reason = `${failure.failureClass}: ${error} (${why})`
    await insertEvents(tx, [
      { transfer_id: id, at: now, from_state: 'submitted', to_state: 'failed', reason },
    ])
    await moveLocksOnReplica(
      tx,
      { ...row, endpointId: row.endpoint_id },
      ['replicating'],
      'stuck',
      `transfer failed, ${reason}`,
      now,
    )
    return 'failed'
  })
}

export async function listTransfers(
  ctx: Context,
  query: {
    state?: string | undefined
    scope?: string | undefined
    name?: string | undefined
    rule?: string | undefined
    limit?: number | undefined
  } = {},
): Promise<Transfer[]> {
  const { rule, ...rest } = query
  return (
    await listTransferRows(ctx.db, {
      ...rest,
      ruleId: rule?.toLowerCase(),
      communities: visibleCommunities(ctx.actor),
    })
  ).map(toTransfer)
}

/** Who a transfer belongs to, for the gate: its scope's community and who asked for it. */
export async function transferTenancy(
  ctx: Context,
  id: string,
): Promise<{ community: string; owner: string | null } | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
  const row = await findTransferRow(ctx.db, id.toLowerCase())
  if (!row) return undefined
  return {
    community: (await findScopeRow(ctx.db, row.scope))?.community ?? '',
    owner: row.created_by ?? null,
  }
}

export async function getTransfer(ctx: Context, id: string): Promise<TransferDetail> {
  const row = await mustFindTransfer(ctx, id)
  const attempts = await listAttemptRows(ctx.db, row.id)
  const events = await listEventRows(ctx.db, row.id)
  return {
    ...toTransfer(row),
    history: attempts.map((a) => ({
      attempt: a.attempt,
      source: a.source,
      startedAt: new Date(a.started_at).toISOString(),
      finishedAt: new Date(a.finished_at).toISOString(),
      durationMs: new Date(a.finished_at).getTime() - new Date(a.started_at).getTime(),
      bytes: Number(a.bytes),
      outcome: a.outcome as 'done' | 'failed',
      failureClass: a.failure_class as FailureClass | null,
      message: a.message,
      via: a.via ? a.via.split(',') : [],
    })),
    events: events.map((e) => ({
      at: new Date(e.at).toISOString(),
      from: e.from_state,
      to: e.to_state,
      reason: e.reason,
    })),
  }
}

async function mustFindTransfer(ctx: Context, id: string): Promise<TransferRow> {
  const row = /^[0-9a-f-]{36}$/i.test(id)
    ? await findTransferRow(ctx.db, id.toLowerCase())
    : undefined
  if (!row) {
    throw new ContinuumError('TRANSFER_NOT_FOUND', `transfer '${id}' not found`, { transfer: id })
  }
  return row
}

function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    scope: row.scope,
    name: row.name,
    endpoint: row.endpoint,
    state: row.state as Transfer['state'],
    activity: row.activity,
    community: row.community,
    priority: row.priority,
    source: row.source,
    bytes: Number(row.bytes),
    attempts: row.attempts,
    lastError: row.last_error,
    failureClass: row.failure_class,
    notBefore: new Date(row.not_before).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
