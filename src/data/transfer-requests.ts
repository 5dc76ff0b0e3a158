/**
 * Transfer requests: what the rule engine asks the transfer agent to copy. These use cases are
 * the agent's side of the contract — claim (with a lease), plan (sources and destination),
 * heartbeat, complete (replica available, locks ok) or fail (retry later from another source,
 * or give up and mark the locks stuck with the reason).
 */
import type { Endpoint, Transfer } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { addUsedBytes, listEndpointRows } from './endpoints-store.js'
import { protocolsFor, selectEndpoints, toEndpoint } from './endpoints.js'
import { findReplicaRow, listReplicaRowsOf, updateReplicaRow } from './replicas-store.js'
import { replicaUrl } from './replicas.js'
import {
  claimTransferRows,
  findTransferRow,
  heartbeatTransfer as heartbeatRow,
  listTransferRows,
  lockClaimedTransfer,
  refreshRuleStates,
  setLocksOnReplica,
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
  destination: { endpoint: string; urls: string[] }
  /** Available replicas allowed by the source expression, the last failed one at the end. */
  sources: TransferSource[]
}

export async function claimTransfers(ctx: Context, worker: string, options: { leaseMs: number; limit: number }): Promise<string[]> {
  return ctx.db.transaction().execute((tx) => claimTransferRows(tx, worker, ctx.clock.now(), options.leaseMs, options.limit))
}

export async function heartbeatTransfer(ctx: Context, id: string, worker: string, leaseMs: number): Promise<boolean> {
  return heartbeatRow(ctx.db, id, worker, new Date(ctx.clock.now().getTime() + leaseMs))
}

export async function planTransfer(ctx: Context, id: string): Promise<TransferPlan> {
  const row = await mustFindTransfer(ctx, id)
  const endpoints = new Map((await listEndpointRows(ctx.db)).map((r) => [r.id, toEndpoint(r)]))
  const destination = endpoints.get(row.endpoint_id)!
  const allowed = row.source_expression === null ? undefined : new Set(selectEndpoints([...endpoints.values()], row.source_expression).map((e) => e.id))
  const replicas = (await listReplicaRowsOf(ctx.db, [row])).filter(
    (r) => r.state === 'available' && r.endpoint_id !== row.endpoint_id && endpoints.get(r.endpoint_id)?.availableRead && (!allowed || allowed.has(r.endpoint_id)),
  )
  // Retry on another source first: the one that failed last goes to the end.
  replicas.sort((a, b) => Number(a.endpoint_id === row.last_source) - Number(b.endpoint_id === row.last_source))
  const destPath = (await findReplicaRow(ctx.db, row, row.endpoint_id))?.path
  if (!destPath) throw new ContinuumError('REPLICA_NOT_FOUND', `no replica row for ${row.scope}:${row.name} at ${destination.name}`, { transfer: id })
  return {
    id: row.id,
    scope: row.scope,
    name: row.name,
    bytes: Number(row.bytes),
    adler32: row.adler32,
    attempt: row.attempts,
    destination: { endpoint: destination.name, urls: urlsFor(destination, destPath, 'write') },
    sources: replicas.map((r) => {
      const e = endpoints.get(r.endpoint_id)!
      return { endpoint: e.name, endpointId: e.id, urls: urlsFor(e, r.path, 'read') }
    }),
  }
}

function urlsFor(endpoint: Endpoint, path: string, op: 'read' | 'write'): string[] {
  return protocolsFor(endpoint, op).map((p) => replicaUrl(p.url, path))
}

/**
 * The bytes arrived and were verified: the replica becomes available, its locks ok. 'lost' when
 * this worker no longer holds the request (nothing changes); 'unwanted' when the replica was
 * reaped meanwhile (its rules expired) — the caller then deletes the bytes it wrote.
 */
export async function completeTransfer(ctx: Context, id: string, worker: string): Promise<'done' | 'lost' | 'unwanted'> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockClaimedTransfer(tx, id, worker)
    if (!row) return 'lost'
    const now = ctx.clock.now()
    await updateTransferRow(tx, id, { state: 'done', last_error: null, claimed_by: null, claimed_until: null, updated_at: now })
    const replica = await findReplicaRow(tx, row, row.endpoint_id, true)
    if (replica && replica.state !== 'available') {
      await updateReplicaRow(tx, row, row.endpoint_id, { state: 'available', updated_at: now, ...(replica.lock_count === 0 ? { tombstone: now } : {}) })
      await addUsedBytes(tx, row.endpoint_id, Number(row.bytes))
    }
    if (!replica) return 'unwanted'
    const rules = await setLocksOnReplica(tx, { ...row, endpointId: row.endpoint_id }, ['replicating', 'stuck'], 'ok', null, now)
    await refreshRuleStates(tx, rules, now)
    return 'done'
  })
}

/**
 * A try failed. Before the last attempt the request is queued again after a back-off (and the
 * failing source goes last); after it, the request fails and every lock waiting for this replica
 * is stuck with the error as its reason.
 */
export async function failTransfer(ctx: Context, id: string, worker: string, failure: { error: string; sourceEndpointId?: string | undefined; backoffMs: number }): Promise<'retry' | 'failed' | 'lost'> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockClaimedTransfer(tx, id, worker)
    if (!row) return 'lost'
    const now = ctx.clock.now()
    const error = failure.error.slice(0, 2000)
    const base = { last_error: error, last_source: failure.sourceEndpointId ?? row.last_source, claimed_by: null, claimed_until: null, updated_at: now }
    if (row.attempts < row.max_attempts) {
      const delay = failure.backoffMs * 2 ** (row.attempts - 1)
      await updateTransferRow(tx, id, { ...base, state: 'queued', not_before: new Date(now.getTime() + delay) })
      return 'retry'
    }
    await updateTransferRow(tx, id, { ...base, state: 'failed' })
    const rules = await setLocksOnReplica(tx, { ...row, endpointId: row.endpoint_id }, ['replicating'], 'stuck', `transfer failed after ${row.attempts} attempts: ${error}`, now)
    await refreshRuleStates(tx, rules, now)
    return 'failed'
  })
}

export async function listTransfers(ctx: Context, query: { state?: string | undefined; scope?: string | undefined; name?: string | undefined } = {}): Promise<Transfer[]> {
  return (await listTransferRows(ctx.db, query)).map(toTransfer)
}

export async function getTransfer(ctx: Context, id: string): Promise<Transfer> {
  return toTransfer(await mustFindTransfer(ctx, id))
}

async function mustFindTransfer(ctx: Context, id: string): Promise<TransferRow> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await findTransferRow(ctx.db, id.toLowerCase()) : undefined
  if (!row) throw new ContinuumError('TRANSFER_NOT_FOUND', `transfer '${id}' not found`, { transfer: id })
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
    bytes: Number(row.bytes),
    attempts: row.attempts,
    lastError: row.last_error,
    notBefore: new Date(row.not_before).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
