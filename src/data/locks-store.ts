/**
 * The only code that reads and writes data_locks: the per-file, per-endpoint locks of rules.
 * Moving locks also shifts their rules' counters (data_rules) in the same statement batch, so a
 * finished transfer in a large rule touches one row per rule rather than recounting.
 */
import { sql, type Selectable } from 'kysely'
import type { DataLocksTable, Executor } from '../db/index.js'

export type LockRow = Selectable<DataLocksTable> & { endpoint: string }
type Key = { scope: string; name: string }

/**
 * Inserts locks, existing ones left alone: column arrays and unnest, so that a page of 2,000
 * locks is one short statement with nine parameters (not a VALUES list of 16,000 to parse).
 * `ruleHadNone`: the caller knows the rules held no lock before (a new rule), so no row can
 * conflict and the insert skips the per-row conflict check; a conflict would then be an error.
 */
export async function insertLockRows(
  db: Executor,
  rows: Array<Omit<Selectable<DataLocksTable>, 'reason'> & { reason?: string | null }>,
  options: { ruleHadNone?: boolean } = {},
): Promise<void> {
  const onConflict = options.ruleHadNone ? sql`` : sql`on conflict do nothing`
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000)
    await sql`
      insert into data_locks (rule_id, scope, name, endpoint_id, state, bytes, reason, created_at, updated_at)
      select u.rule_id, u.scope, u.name, u.endpoint_id, u.state, u.bytes, u.reason, u.created_at, u.updated_at
      from unnest(${b.map((r) => r.rule_id)}::uuid[], ${b.map((r) => r.scope)}::text[], ${b.map((r) => r.name)}::text[],
                  ${b.map((r) => r.endpoint_id)}::uuid[], ${b.map((r) => r.state)}::text[], ${b.map((r) => r.bytes)}::bigint[],
                  ${b.map((r) => r.reason ?? null)}::text[], ${b.map((r) => iso(r.created_at))}::timestamptz[], ${b.map((r) => iso(r.updated_at))}::timestamptz[])
        as u(rule_id, scope, name, endpoint_id, state, bytes, reason, created_at, updated_at)
      ${onConflict}`.execute(db)
  }
}

function iso(t: Date | string): string {
  return t instanceof Date ? t.toISOString() : t
}

/** Whether a rule holds any lock yet (a new rule holds none: no page need look for its locks). */
export async function ruleHasLocks(db: Executor, ruleId: string): Promise<boolean> {
  const row = await db
    .selectFrom('data_locks')
    .select('rule_id')
    .where('rule_id', '=', ruleId)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
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
