/**
 * Running a claimed transfer request: its plan (sources and destination), then its outcome —
 * complete (the replica becomes available, its locks ok, through data's use case in the same
 * transaction) or fail (retry later from another source, or give up and mark the locks stuck
 * with the classified reason). Every attempt is recorded (transfer_attempts) and every state
 * change logged (transfer_events).
 */
import type { Endpoint } from '../contract/index.js'
import {
  anySource,
  completeReplicaCopy,
  failReplicaCopy,
  findCopyPlaces,
  findSourceFor,
  protocolsFor,
  replicaUrl,
} from '../data/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { insertAttemptRow, insertEvents } from './history-store.js'
import { ensureQueues } from './queue-store.js'
import { lockClaimedTransfer, updateTransferRow, type TransferRow } from './requests-store.js'
import { mustFindTransfer } from './transfer-requests.js'

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

export async function planTransfer(ctx: Context, id: string): Promise<TransferPlan> {
  const row = await mustFindTransfer(ctx, id)
  const places = await findCopyPlaces(
    ctx.db,
    {
      scope: row.scope,
      name: row.name,
      endpointId: row.endpoint_id,
      sourceExpression: row.source_expression,
    },
    [row.last_source],
  )
  const { destination, destPath } = places
  // The link's source first: the scheduler counted this transfer against that link.
  const sources = [...places.sources].sort(
    (a, b) =>
      Number(b.endpoint.id === row.source_endpoint_id) -
      Number(a.endpoint.id === row.source_endpoint_id),
  )
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
    sources: sources.map(({ endpoint: e, path }) => ({
      endpoint: e.name,
      endpointId: e.id,
      path,
      urls: urlsFor(e, path, 'read'),
    })),
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
    return completeReplicaCopy(
      tx,
      { scope: row.scope, name: row.name, endpointId: row.endpoint_id, bytes: Number(row.bytes) },
      now,
    )
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
    await failReplicaCopy(
      tx,
      { scope: row.scope, name: row.name, endpointId: row.endpoint_id },
      `transfer failed, ${reason}`,
      now,
    )
    return 'failed'
  })
}
