/**
 * The only code that reads and writes transfer_requests rows one by one or by filter: queueing,
 * finding, listing, leases of running requests, updates and cancellation. The scheduler's
 * set-wise queries on them (claiming, counting per link) are in queue-store.ts. Joins read data's
 * tables (endpoints, scopes, locks) and never write them.
 */
import { sql, type Selectable } from 'kysely'
import type { Executor, TransferRequestsTable } from '../db/index.js'
import { ensureQueues } from './queue-store.js'

export type TransferRow = Selectable<TransferRequestsTable> & {
  endpoint: string
  source: string | null
}

export interface NewTransferRow {
  id: string
  scope: string
  name: string
  endpoint_id: string
  activity: string
  bytes: number
  adler32: string | null
  source_expression: string | null
  /** The link's source; anySource when no replica is available yet. */
  source_endpoint_id: string
  community: string
  priority?: number
  /** Who asked for it (the rule's creator); null for the system's own repairs. */
  created_by?: string | null
  now: Date
}

/**
 * Queues transfers (one statement per 2,000), skipping replicas that have a live request
 * already, and creates their links and queues. Returns the ids actually queued.
 */
export async function insertTransferRows(db: Executor, rows: NewTransferRow[]): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < rows.length; i += 2000) {
    const b = rows.slice(i, i + 2000)
    const now = b[0]!.now
    const result = await sql<{ id: string }>`
      insert into transfer_requests (id, scope, name, endpoint_id, activity, bytes, adler32, source_expression, source_endpoint_id, community, priority, created_by, not_before, created_at, updated_at)
      select u.*, ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz from unnest(
        ${b.map((r) => r.id)}::uuid[], ${b.map((r) => r.scope)}::text[], ${b.map((r) => r.name)}::text[], ${b.map((r) => r.endpoint_id)}::uuid[],
        ${b.map((r) => r.activity)}::text[], ${b.map((r) => r.bytes)}::bigint[], ${b.map((r) => r.adler32)}::text[], ${b.map((r) => r.source_expression)}::text[],
        ${b.map((r) => r.source_endpoint_id)}::uuid[], ${b.map((r) => r.community)}::text[], ${b.map((r) => r.priority ?? 3)}::int[], ${b.map((r) => r.created_by ?? null)}::text[])
        as u(id, scope, name, endpoint_id, activity, bytes, adler32, source_expression, source_endpoint_id, community, priority, created_by)
      on conflict (scope, name, endpoint_id) where state in ('queued', 'submitted') do nothing
      returning id`.execute(db)
    ids.push(...result.rows.map((r) => r.id))
    await ensureQueues(
      db,
      b.map((r) => ({
        source: r.source_endpoint_id,
        dest: r.endpoint_id,
        community: r.community,
        activity: r.activity,
      })),
    )
  }
  return ids
}

function selectTransfers(db: Executor) {
  return db
    .selectFrom('transfer_requests as t')
    .innerJoin('storage_endpoints as e', 'e.id', 't.endpoint_id')
    .leftJoin('storage_endpoints as s', 's.id', 't.source_endpoint_id')
    .selectAll('t')
    .select(['e.name as endpoint', 's.name as source'])
}

export async function findTransferRow(db: Executor, id: string): Promise<TransferRow | undefined> {
  return selectTransfers(db).where('t.id', '=', id).executeTakeFirst()
}

export async function listTransferRows(
  db: Executor,
  f: {
    state?: string | undefined
    scope?: string | undefined
    name?: string | undefined
    ruleId?: string | undefined
    limit?: number | undefined
    communities?: readonly string[] | undefined
  },
): Promise<TransferRow[]> {
  let query = selectTransfers(db)
  if (f.communities !== undefined) {
    // A transfer belongs to the community of its identifier's scope.
    if (f.communities.length === 0) return []
    const communities = [...f.communities]
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('data_scopes as s')
          .innerJoin('communities as c', 'c.id', 's.community_id')
          .select('s.name')
          .whereRef('s.name', '=', 't.scope')
          .where('c.name', 'in', communities),
      ),
    )
  }
  if (f.state !== undefined) query = query.where('t.state', '=', f.state)
  if (f.scope !== undefined) query = query.where('t.scope', '=', f.scope)
  if (f.name !== undefined) query = query.where('t.name', '=', f.name)
  if (f.ruleId !== undefined) {
    const ruleId = f.ruleId
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('data_locks as l')
          .select('l.rule_id')
          .where('l.rule_id', '=', ruleId)
          .whereRef('l.scope', '=', 't.scope')
          .whereRef('l.name', '=', 't.name')
          .whereRef('l.endpoint_id', '=', 't.endpoint_id'),
      ),
    )
  }
  return query
    .orderBy('t.created_at')
    .orderBy('t.id')
    .limit(f.limit ?? 1000)
    .execute()
}

/** Extends a lease; false when the claim was lost (another worker took the request over). */
export async function heartbeatTransfer(
  db: Executor,
  id: string,
  worker: string,
  until: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('transfer_requests')
    .set({ claimed_until: until })
    .where('id', '=', id)
    .where('claimed_by', '=', worker)
    .where('state', '=', 'submitted')
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Locks the request if this worker still holds it; undefined when the claim was lost. */
export async function lockClaimedTransfer(
  db: Executor,
  id: string,
  worker: string,
): Promise<TransferRow | undefined> {
  return selectTransfers(db)
    .where('t.id', '=', id)
    .where('t.claimed_by', '=', worker)
    .where('t.state', '=', 'submitted')
    .forUpdate('t')
    .executeTakeFirst()
}

export async function updateTransferRow(
  db: Executor,
  id: string,
  changes: {
    state?: string
    last_error?: string | null
    last_source?: string | null
    source_endpoint_id?: string
    failure_class?: string | null
    not_before?: Date
    claimed_by?: string | null
    claimed_until?: Date | null
    updated_at: Date
  },
): Promise<void> {
  await db.updateTable('transfer_requests').set(changes).where('id', '=', id).execute()
}

/** Cancels queued transfers of replicas that no lock wants any more. */
export async function cancelUnwantedTransfers(db: Executor, now: Date): Promise<void> {
  await sql`
    update transfer_requests t set state = 'cancelled', updated_at = ${now}
    where t.state = 'queued' and not exists (
      select 1 from data_locks l where l.scope = t.scope and l.name = t.name and l.endpoint_id = t.endpoint_id)`.execute(
    db,
  )
}

/** Queued requests of a rule's locks that carry the error of an earlier attempt. */
export async function listRetryingRows(db: Executor, ruleId: string): Promise<TransferRow[]> {
  return selectTransfers(db)
    .where('t.state', '=', 'queued')
    .where('t.last_error', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('data_locks as l')
          .select('l.rule_id')
          .where('l.rule_id', '=', ruleId)
          .whereRef('l.scope', '=', 't.scope')
          .whereRef('l.name', '=', 't.name')
          .whereRef('l.endpoint_id', '=', 't.endpoint_id'),
      ),
    )
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute()
}
