/** The only code that reads and writes data_rules, data_locks, data_quotas and transfer_requests (the scheduler's queries: transfer-queue-store.ts). */
import { sql, type Selectable } from 'kysely'
import type {
  DataLocksTable,
  DataRulesTable,
  Executor,
  TransferRequestsTable,
} from '../db/index.js'
import { ensureQueues } from './transfer-queue-store.js'

export type RuleRow = Selectable<DataRulesTable>
export type LockRow = Selectable<DataLocksTable> & { endpoint: string }
export type TransferRow = Selectable<TransferRequestsTable> & {
  endpoint: string
  source: string | null
}
type Key = { scope: string; name: string }

export async function insertRuleRow(
  db: Executor,
  row: Omit<
    RuleRow,
    | 'locks_ok'
    | 'locks_replicating'
    | 'locks_stuck'
    | 'needs_evaluation'
    | 'claimed_by'
    | 'claimed_until'
  >,
): Promise<void> {
  await db.insertInto('data_rules').values(row).execute()
}

export async function findRuleRow(
  db: Executor,
  id: string,
  forUpdate = false,
): Promise<RuleRow | undefined> {
  let query = db.selectFrom('data_rules').selectAll().where('id', '=', id)
  if (forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function listRuleRows(
  db: Executor,
  f: {
    scope?: string | undefined
    name?: string | undefined
    account?: string | undefined
    state?: string | undefined
    communities?: readonly string[] | undefined
  },
): Promise<RuleRow[]> {
  let query = db.selectFrom('data_rules').selectAll()
  if (f.communities !== undefined) {
    if (f.communities.length === 0) return []
    query = query.where('community', 'in', [...f.communities])
  }
  if (f.scope !== undefined) query = query.where('scope', '=', f.scope)
  if (f.name !== undefined) query = query.where('name', '=', f.name)
  if (f.account !== undefined) query = query.where('account', '=', f.account)
  if (f.state !== undefined) query = query.where('state', '=', f.state)
  return query.orderBy('created_at').orderBy('id').limit(1000).execute()
}

/** Rules on any of these identifiers (a collection and its ancestors). */
export async function listRuleIdsOn(db: Executor, keys: Key[]): Promise<string[]> {
  if (keys.length === 0) return []
  const rows = await db
    .selectFrom('data_rules')
    .select('id')
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('scope', '=', k.scope), eb('name', '=', k.name)]))),
    )
    .execute()
  return rows.map((r) => r.id)
}

export async function markRulesForEvaluation(db: Executor, ids: string[]): Promise<void> {
  if (ids.length) {
    await db
      .updateTable('data_rules')
      .set({ needs_evaluation: true })
      .where('id', 'in', ids)
      .execute()
  }
}

/** Claims rules to re-evaluate (lease); a killed worker's claim expires and is taken over. */
export async function claimRulesForEvaluation(
  db: Executor,
  worker: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<string[]> {
  const result = await sql<{ id: string }>`
    update data_rules set claimed_by = ${worker}, claimed_until = ${new Date(now.getTime() + leaseMs)}
    where id in (
      select id from data_rules
      where needs_evaluation and (claimed_until is null or claimed_until < ${now})
      order by updated_at limit ${limit} for update skip locked)
    returning id`.execute(db)
  return result.rows.map((r) => r.id)
}

export async function releaseRule(
  db: Executor,
  id: string,
  changes: { needs_evaluation: boolean },
): Promise<void> {
  await db
    .updateTable('data_rules')
    .set({ ...changes, claimed_by: null, claimed_until: null })
    .where('id', '=', id)
    .execute()
}

/** Expired rules, locked for this transaction (others skip them). */
export async function lockExpiredRules(db: Executor, now: Date, limit: number): Promise<RuleRow[]> {
  return db
    .selectFrom('data_rules')
    .selectAll()
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

export async function deleteRuleRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('data_rules').where('id', '=', id).execute()
}

export async function insertLockRows(
  db: Executor,
  rows: Array<Omit<Selectable<DataLocksTable>, 'reason'> & { reason?: string | null }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto('data_locks')
      .values(rows.slice(i, i + 2000))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
}

export async function listLockRows(
  db: Executor,
  f: { ruleId?: string; replica?: Key & { endpointId: string } },
): Promise<LockRow[]> {
  let query = db
    .selectFrom('data_locks as l')
    .innerJoin('storage_endpoints as e', 'e.id', 'l.endpoint_id')
    .selectAll('l')
    .select('e.name as endpoint')
  if (f.ruleId !== undefined) query = query.where('l.rule_id', '=', f.ruleId)
  if (f.replica) {
    query = query
      .where('l.scope', '=', f.replica.scope)
      .where('l.name', '=', f.replica.name)
      .where('l.endpoint_id', '=', f.replica.endpointId)
  }
  return query.orderBy('l.scope').orderBy('l.name').orderBy('e.name').execute()
}

/** Which of these files a rule holds a lock on already (any endpoint). */
export async function listLockedKeysOf(
  db: Executor,
  ruleId: string,
  keys: Key[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const result = await sql<Key>`
    select distinct l.scope, l.name from unnest(${keys.map((k) => k.scope)}::text[], ${keys.map((k) => k.name)}::text[]) as u(scope, name)
    join data_locks l on l.rule_id = ${ruleId} and l.scope = u.scope and l.name = u.name`.execute(
    db,
  )
  return new Set(result.rows.map((r) => `${r.scope}:${r.name}`))
}

/** Sets the state (and reason) of every lock on one replica; returns the rules touched. */
export async function setLocksOnReplica(
  db: Executor,
  replica: Key & { endpointId: string },
  from: string[],
  to: string,
  reason: string | null,
  now: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('data_locks')
    .set({ state: to, reason, updated_at: now })
    .where('scope', '=', replica.scope)
    .where('name', '=', replica.name)
    .where('endpoint_id', '=', replica.endpointId)
    .where('state', 'in', from)
    .returning('rule_id')
    .execute()
  return [...new Set(rows.map((r) => r.rule_id))]
}

/**
 * Moves the locks on one replica from `from` states to `to` and shifts their rules' counters by
 * what moved (no recount: a transfer finishing in a 100k-file rule touches one row per rule).
 */
export async function moveLocksOnReplica(
  db: Executor,
  replica: Key & { endpointId: string },
  from: string[],
  to: string,
  reason: string | null,
  now: Date,
): Promise<string[]> {
  const moved = await sql<{ rule_id: string; old: string }>`
    with old as (
      select rule_id, state from data_locks
      where scope = ${replica.scope} and name = ${replica.name} and endpoint_id = ${replica.endpointId} and state = any(${from}::text[])
      for update)
    update data_locks l set state = ${to}, reason = ${reason}, updated_at = ${now}
    from old where l.rule_id = old.rule_id and l.scope = ${replica.scope} and l.name = ${replica.name} and l.endpoint_id = ${replica.endpointId}
    returning l.rule_id, old.state as old`.execute(db)
  const rules = [...new Set(moved.rows.map((r) => r.rule_id))].sort()
  for (const id of rules) {
    const delta = { ok: 0, replicating: 0, stuck: 0 } as Record<string, number>
    for (const r of moved.rows) {
      if (r.rule_id !== id) continue
      delta[r.old] = (delta[r.old] ?? 0) - 1
      delta[to] = (delta[to] ?? 0) + 1
    }
    await sql`
      update data_rules set
        locks_ok = locks_ok + ${delta.ok ?? 0}, locks_replicating = locks_replicating + ${delta.replicating ?? 0}, locks_stuck = locks_stuck + ${delta.stuck ?? 0},
        state = case when locks_stuck + ${delta.stuck ?? 0} > 0 then 'stuck' when locks_replicating + ${delta.replicating ?? 0} > 0 then 'replicating' else 'ok' end,
        updated_at = ${now}
      where id = ${id}`.execute(db)
  }
  return rules
}

/** Recounts locks per state and derives each rule's state: stuck > replicating > ok. */
export async function refreshRuleStates(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return
  // Lock the rules first (in id order, so concurrent transfers cannot deadlock): the count below
  // is a new statement and so sees every lock change committed before it.
  await db
    .selectFrom('data_rules')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute()
  await sql`
    update data_rules r set
      locks_ok = c.ok, locks_replicating = c.replicating, locks_stuck = c.stuck,
      state = case when c.stuck > 0 then 'stuck' when c.replicating > 0 then 'replicating' else 'ok' end,
      updated_at = ${now}
    from (
      select r2.id,
        count(*) filter (where l.state = 'ok')::int as ok,
        count(*) filter (where l.state = 'replicating')::int as replicating,
        count(*) filter (where l.state = 'stuck')::int as stuck
      from data_rules r2 left join data_locks l on l.rule_id = r2.id
      where r2.id = any(${ids}::uuid[])
      group by r2.id
    ) c
    where r.id = c.id`.execute(db)
}

/** Bytes an owner's rules lock on each endpoint (what quotas are checked against). */
export async function lockedBytesByEndpoint(
  db: Executor,
  owner: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('data_locks as l')
    .innerJoin('data_rules as r', 'r.id', 'l.rule_id')
    .select(['l.endpoint_id', sql<number>`coalesce(sum(l.bytes), 0)::bigint`.as('bytes')])
    .where('r.account', '=', owner)
    .groupBy('l.endpoint_id')
    .execute()
  return new Map(rows.map((r) => [r.endpoint_id, Number(r.bytes)]))
}

export async function upsertQuotaRow(
  db: Executor,
  owner: string,
  endpointId: string,
  bytes: number,
  now: Date,
): Promise<void> {
  await db
    .insertInto('data_quotas')
    .values({ owner, endpoint_id: endpointId, bytes, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['owner', 'endpoint_id']).doUpdateSet({ bytes, updated_at: now }),
    )
    .execute()
}

export async function listQuotaRows(
  db: Executor,
  owner?: string,
): Promise<Array<{ owner: string; endpoint_id: string; endpoint: string; bytes: number }>> {
  let query = db
    .selectFrom('data_quotas as q')
    .innerJoin('storage_endpoints as e', 'e.id', 'q.endpoint_id')
    .select(['q.owner', 'q.endpoint_id', 'e.name as endpoint', 'q.bytes'])
  if (owner !== undefined) query = query.where('q.owner', '=', owner)
  return query.orderBy('q.owner').orderBy('e.name').execute()
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

/** Queues one transfer unless one is live for the same replica already. */
export async function insertTransferRow(db: Executor, row: NewTransferRow): Promise<void> {
  await insertTransferRows(db, [row])
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

/** Transfer requests of a rule's locks per state (a rule's progress). */
export async function countRuleTransfers(
  db: Executor,
  ruleId: string,
): Promise<Record<string, number>> {
  const rows = await sql<{ state: string; n: number }>`
    select t.state, count(*)::int as n from transfer_requests t
    join data_locks l on l.scope = t.scope and l.name = t.name and l.endpoint_id = t.endpoint_id
    where l.rule_id = ${ruleId}
    group by t.state`.execute(db)
  return Object.fromEntries(rows.rows.map((r) => [r.state, r.n]))
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

/**
 * Stuck locks older than `before`, locked for this transaction: the repairer gives their files a
 * new transfer (a source may have come back, an endpoint may have been fixed).
 */
export async function lockStuckLocks(
  db: Executor,
  before: Date,
  limit: number,
): Promise<Array<Selectable<DataLocksTable>>> {
  return db
    .selectFrom('data_locks')
    .selectAll()
    .where('state', '=', 'stuck')
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}
