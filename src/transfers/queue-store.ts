/**
 * The only code that reads and writes transfer_links, transfer_queues and transfer_shares, and
 * the scheduler's set-wise queries on transfer_requests (leases, candidates per queue, counts).
 */
import { sql, type Selectable } from 'kysely'
import type { Executor, TransferLinksTable } from '../db/index.js'

export type LinkRow = Selectable<TransferLinksTable>
export interface LinkKey {
  source: string
  dest: string
}
export interface QueueKey extends LinkKey {
  community: string
  activity: string
}
export interface QueueCandidate extends QueueKey {
  id: string
  priority: number
  notBefore: Date
}
/** Creates the link and queue rows of these queues if missing (one statement each). */
export async function ensureQueues(db: Executor, queues: QueueKey[]): Promise<void> {
  const unique = [
    ...new Map(
      queues.map((q) => [`${q.source}|${q.dest}|${q.community}|${q.activity}`, q]),
    ).values(),
  ]
  if (unique.length === 0) return
  const links = [...new Map(unique.map((q) => [`${q.source}|${q.dest}`, q])).values()]
  // Sorted, so that two transactions creating the same rows take their locks in one order.
  links.sort((a, b) => a.source.localeCompare(b.source) || a.dest.localeCompare(b.dest))
  await sql`
    insert into transfer_links (source_endpoint_id, dest_endpoint_id)
    select * from unnest(${links.map((l) => l.source)}::uuid[], ${links.map((l) => l.dest)}::uuid[])
    on conflict do nothing`.execute(db)
  await sql`
    insert into transfer_queues (source_endpoint_id, dest_endpoint_id, community, activity)
    select * from unnest(${unique.map((q) => q.source)}::uuid[], ${unique.map((q) => q.dest)}::uuid[],
                         ${unique.map((q) => q.community)}::text[], ${unique.map((q) => q.activity)}::text[])
    on conflict do nothing`.execute(db)
}

/** Links not being scheduled by another worker right now, locked for this transaction. */
export async function lockLinks(db: Executor): Promise<LinkRow[]> {
  return db
    .selectFrom('transfer_links')
    .selectAll()
    .orderBy('source_endpoint_id')
    .orderBy('dest_endpoint_id')
    .forUpdate()
    .skipLocked()
    .execute()
}

export async function findLinkRow(db: Executor, key: LinkKey): Promise<LinkRow | undefined> {
  return db
    .selectFrom('transfer_links')
    .selectAll()
    .where('source_endpoint_id', '=', key.source)
    .where('dest_endpoint_id', '=', key.dest)
    .executeTakeFirst()
}

/** Creates a link with the default limits if missing. */
export async function insertLinkRow(db: Executor, key: LinkKey): Promise<void> {
  await db
    .insertInto('transfer_links')
    .values({ source_endpoint_id: key.source, dest_endpoint_id: key.dest })
    .onConflict((oc) => oc.doNothing())
    .execute()
}

/** Links an operator closed (no direct route): their requests go multi-hop. */
export async function listClosedLinks(db: Executor): Promise<LinkKey[]> {
  return db
    .selectFrom('transfer_links')
    .select(['source_endpoint_id as source', 'dest_endpoint_id as dest'])
    .where('closed', '=', true)
    .execute()
}

export async function listLinkRows(db: Executor): Promise<LinkRow[]> {
  return db
    .selectFrom('transfer_links')
    .selectAll()
    .orderBy('source_endpoint_id')
    .orderBy('dest_endpoint_id')
    .execute()
}

export async function updateLinkRow(
  db: Executor,
  key: LinkKey,
  changes: Partial<
    Pick<
      LinkRow,
      | 'max_active'
      | 'active_limit'
      | 'closed'
      | 'throughput_bps'
      | 'success_rate'
      | 'last_decision'
      | 'evaluated_at'
    >
  >,
): Promise<void> {
  await db
    .updateTable('transfer_links')
    .set(changes)
    .where('source_endpoint_id', '=', key.source)
    .where('dest_endpoint_id', '=', key.dest)
    .execute()
}

/** Links due for an optimiser pass, locked (a second worker skips them). */
export async function lockLinksToEvaluate(db: Executor, before: Date): Promise<LinkRow[]> {
  return db
    .selectFrom('transfer_links')
    .selectAll()
    .where((eb) => eb.or([eb('evaluated_at', 'is', null), eb('evaluated_at', '<=', before)]))
    .forUpdate()
    .skipLocked()
    .execute()
}

/**
 * Leases that ran out (their worker died): back to the queue, returned with the dead worker's
 * name for the event log. The next claim takes them like any other request.
 */
export async function requeueExpiredLeases(
  db: Executor,
  now: Date,
  limit: number,
): Promise<Array<{ id: string; worker: string | null }>> {
  const result = await sql<{ id: string; worker: string | null }>`
    with expired as (
      select id, claimed_by from transfer_requests
      where state = 'submitted' and claimed_until < ${now}
      order by claimed_until limit ${limit} for update skip locked)
    update transfer_requests t set state = 'queued', claimed_by = null, claimed_until = null, not_before = ${now}, updated_at = ${now}
    from expired where t.id = expired.id
    returning t.id, expired.claimed_by as worker`.execute(db)
  return result.rows
}

/** The workers holding leases on transfers now. */
export async function listTransferClaimants(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('transfer_requests')
    .select('claimed_by')
    .distinct()
    .where('state', '=', 'submitted')
    .where('claimed_by', 'is not', null)
    .execute()
  return rows.map((r) => r.claimed_by!)
}

/** Ends the leases of these workers now: the next claim round requeues their transfers. */
export async function endTransferLeasesOf(
  db: Executor,
  workers: readonly string[],
  now: Date,
): Promise<number> {
  if (workers.length === 0) return 0
  const result = await db
    .updateTable('transfer_requests')
    .set({ claimed_until: new Date(now.getTime() - 1) })
    .where('state', '=', 'submitted')
    .where('claimed_by', 'in', workers)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Active (leased) transfers per queue. */
export async function countActiveByQueue(db: Executor): Promise<Array<QueueKey & { n: number }>> {
  const result = await sql<QueueKey & { n: number }>`
    select source_endpoint_id as source, endpoint_id as dest, community, activity, count(*)::int as n
    from transfer_requests where state = 'submitted'
    group by 1, 2, 3, 4`.execute(db)
  return result.rows
}

/**
 * The first `n` due requests of every queue of each link (in priority, then age order): one
 * index probe per queue, however long the queues are.
 */
export async function listQueueCandidates(
  db: Executor,
  links: Array<LinkKey & { n: number }>,
  now: Date,
): Promise<QueueCandidate[]> {
  if (links.length === 0) return []
  const result = await sql<QueueCandidate>`
    select q.source_endpoint_id as source, q.dest_endpoint_id as dest, q.community, q.activity,
           c.id, c.priority, c.not_before as "notBefore"
    from unnest(${links.map((l) => l.source)}::uuid[], ${links.map((l) => l.dest)}::uuid[], ${links.map((l) => l.n)}::int[]) as f(source, dest, n)
    join transfer_queues q on q.source_endpoint_id = f.source and q.dest_endpoint_id = f.dest
    cross join lateral (
      select t.id, t.priority, t.not_before from transfer_requests t
      where t.state = 'queued' and t.endpoint_id = q.dest_endpoint_id and t.source_endpoint_id = q.source_endpoint_id
        and t.community = q.community and t.activity = q.activity and t.not_before <= ${now}
      order by t.priority desc, t.not_before, t.id
      limit f.n) c`.execute(db)
  return result.rows.map((r) => ({ ...r, notBefore: new Date(r.notBefore) }))
}

/** Leases the chosen requests to this worker; returns those still queued (all, normally). */
export async function markClaimed(
  db: Executor,
  ids: string[],
  worker: string,
  until: Date,
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return []
  const result = await sql<{ id: string }>`
    update transfer_requests set state = 'submitted', claimed_by = ${worker}, claimed_until = ${until}, attempts = attempts + 1, updated_at = ${now}
    where id = any(${ids}::uuid[]) and state = 'queued'
    returning id`.execute(db)
  return result.rows.map((r) => r.id)
}

export async function listShareRows(
  db: Executor,
): Promise<Array<{ kind: string; name: string; weight: number }>> {
  return db
    .selectFrom('transfer_shares')
    .selectAll()
    .orderBy('kind')
    .orderBy('weight', 'desc')
    .orderBy('name')
    .execute()
}

export async function upsertShareRow(
  db: Executor,
  row: { kind: string; name: string; weight: number },
): Promise<void> {
  await db
    .insertInto('transfer_shares')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'name']).doUpdateSet({ weight: row.weight }))
    .execute()
}

export async function deleteShareRow(db: Executor, kind: string, name: string): Promise<boolean> {
  const r = await db
    .deleteFrom('transfer_shares')
    .where('kind', '=', kind)
    .where('name', '=', name)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}

/** Requests per link and state (queued and active), for statistics. */
export async function countRequestsByLink(
  db: Executor,
): Promise<Array<LinkKey & { queued: number; active: number }>> {
  const result = await sql<LinkKey & { queued: number; active: number }>`
    select source_endpoint_id as source, endpoint_id as dest,
      count(*) filter (where state = 'queued')::int as queued,
      count(*) filter (where state = 'submitted')::int as active
    from transfer_requests where state in ('queued', 'submitted')
    group by 1, 2`.execute(db)
  return result.rows
}
