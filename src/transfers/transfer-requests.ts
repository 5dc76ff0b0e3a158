/**
 * Reading transfer requests: lists (a rule's progress, the caller's communities only), one
 * request with its attempts and events, and who a request belongs to for the gate.
 */
import type { FailureClass, Transfer, TransferDetail } from '../contract/index.js'
import { scopeTenancy } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, isUuid, visibleCommunities } from '../platform/index.js'
import { listAttemptRows, listEventRows } from './history-store.js'
import { findTransferRow, listTransferRows, type TransferRow } from './requests-store.js'

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
  const row = await findTransfer(ctx, id)
  if (!row) return undefined
  return {
    community: (await scopeTenancy(ctx, row.scope))?.community ?? '',
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

/** The one check of a request id: anything but a UUID finds nothing, without asking the database. */
async function findTransfer(ctx: Context, id: string): Promise<TransferRow | undefined> {
  return isUuid(id) ? findTransferRow(ctx.db, id.toLowerCase()) : undefined
}

export function transferNotFound(id: string): ContinuumError {
  return new ContinuumError('TRANSFER_NOT_FOUND', `transfer '${id}' not found`, { transfer: id })
}

/** The request with this id, or TRANSFER_NOT_FOUND. */
export async function mustFindTransfer(ctx: Context, id: string): Promise<TransferRow> {
  const row = await findTransfer(ctx, id)
  if (!row) throw transferNotFound(id)
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
