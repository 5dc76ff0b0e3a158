/**
 * The only code that reads and writes transfer_attempts and transfer_events (a request's
 * history), and deletes finished requests with their history when their retention is over.
 */
import { sql, type Selectable } from 'kysely'
import { anySource } from '../data/index.js'
import type { Executor, TransferAttemptsTable } from '../db/index.js'
import type { LinkKey } from './queue-store.js'

export type AttemptRow = Selectable<TransferAttemptsTable> & { source: string | null }
export interface EventRow {
  transfer_id: string
  at: Date
  from_state: string | null
  to_state: string
  reason: string | null
}

export async function insertEvents(db: Executor, events: EventRow[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) {
    const batch = events.slice(i, i + 5000)
    await sql`
      insert into transfer_events (transfer_id, at, from_state, to_state, reason)
      select * from unnest(${batch.map((e) => e.transfer_id)}::uuid[], ${batch.map((e) => e.at)}::timestamptz[],
                           ${batch.map((e) => e.from_state)}::text[], ${batch.map((e) => e.to_state)}::text[], ${batch.map((e) => e.reason)}::text[])`.execute(
      db,
    )
  }
}

export async function listEventRows(db: Executor, transferId: string): Promise<EventRow[]> {
  return db
    .selectFrom('transfer_events')
    .select(['transfer_id', 'at', 'from_state', 'to_state', 'reason'])
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute()
}

export async function insertAttemptRow(
  db: Executor,
  row: Selectable<TransferAttemptsTable>,
): Promise<void> {
  await db
    .insertInto('transfer_attempts')
    .values(row)
    .onConflict((oc) => oc.columns(['transfer_id', 'attempt']).doNothing())
    .execute()
}

export async function listAttemptRows(db: Executor, transferId: string): Promise<AttemptRow[]> {
  return db
    .selectFrom('transfer_attempts as a')
    .leftJoin('storage_endpoints as e', 'e.id', 'a.source_endpoint_id')
    .selectAll('a')
    .select('e.name as source')
    .where('a.transfer_id', '=', transferId)
    .orderBy('a.attempt')
    .execute()
}

export interface WindowStats extends LinkKey {
  done: number
  failed: number
  /** Failures of the endpoint rather than of the file (network, timeout). */
  unreachable: number
  bytes: number
  /** Sum of the attempts' durations, in seconds. */
  busySeconds: number
  first: Date | null
  last: Date | null
}

/** What the attempts finished on each link since `since` add up to. */
export async function sumAttemptsSince(db: Executor, since: Date): Promise<WindowStats[]> {
  const result = await sql<WindowStats>`
    select coalesce(source_endpoint_id, ${anySource}::uuid) as source, dest_endpoint_id as dest,
      count(*) filter (where outcome = 'done')::int as done,
      count(*) filter (where outcome = 'failed')::int as failed,
      count(*) filter (where failure_class in ('network', 'timeout'))::int as unreachable,
      coalesce(sum(bytes) filter (where outcome = 'done'), 0)::float8 as bytes,
      coalesce(sum(extract(epoch from finished_at - started_at)), 0)::float8 as "busySeconds",
      min(started_at) as first, max(finished_at) as last
    from transfer_attempts where finished_at > ${since}
    group by 1, 2`.execute(db)
  return result.rows.map((r) => ({
    ...r,
    bytes: Number(r.bytes),
    busySeconds: Number(r.busySeconds),
    first: r.first && new Date(r.first),
    last: r.last && new Date(r.last),
  }))
}

/**
 * Deletes up to `limit` finished requests (done, failed, cancelled) last changed before
 * `before`, oldest first; their attempts and events go with them (on delete cascade).
 */
export async function deleteFinishedRequests(
  db: Executor,
  before: Date,
  limit: number,
): Promise<number> {
  // One statement: the completed attempts are read (in the statement's snapshot, before the
  // cascade removes them) into the ledger that allocations' transfer use is counted from.
  const result = await sql<{ id: string }>`
    with gone as (
      delete from transfer_requests where id in (
        select id from transfer_requests
        where state in ('done', 'failed', 'cancelled') and updated_at < ${before}
        order by updated_at limit ${limit})
      returning id, community),
    kept as (
      insert into transferred_bytes_ledger (community, endpoint_id, finished_at, bytes)
      select g.community, a.dest_endpoint_id, a.finished_at, a.bytes
      from gone g join transfer_attempts a on a.transfer_id = g.id
      where a.outcome = 'done' and a.bytes > 0)
    select id from gone`.execute(db)
  return result.rows.length
}

/** Bytes copied for a community to any of `endpointIds` since a date (allocations' transfer use). */
export async function sumTransferredTo(
  db: Executor,
  community: string,
  endpointIds: readonly string[],
  since: Date,
): Promise<number> {
  if (endpointIds.length === 0) return 0
  const ids = sql.join(endpointIds.map((id) => sql`${id}::uuid`))
  // What the history holds plus what its pruning wrote into the ledger.
  const moved = await sql<{ bytes: number }>`
    select (
      select coalesce(sum(a.bytes), 0)
      from transfer_attempts a join transfer_requests t on t.id = a.transfer_id
      where a.outcome = 'done' and t.community = ${community} and a.dest_endpoint_id in (${ids})
        and a.finished_at >= ${since}
    )::float8 + (
      select coalesce(sum(bytes), 0) from transferred_bytes_ledger
      where community = ${community} and endpoint_id in (${ids}) and finished_at >= ${since}
    )::float8 as bytes`.execute(db)
  return Number(moved.rows[0]?.bytes ?? 0)
}
