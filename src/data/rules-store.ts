/** The only code that reads and writes data_rules: rules, their evaluation leases and lock counters. */
import { sql, type Selectable } from 'kysely'
import type { DataRulesTable, Executor } from '../db/index.js'

export type RuleRow = Selectable<DataRulesTable>
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

/**
 * Deletes a rule (its locks go with it), first writing each lock into the released-locks
 * ledger, so that the byte-days it held stay counted against the community's allocations.
 */
export async function deleteRuleRow(db: Executor, rule: RuleRow, now: Date): Promise<void> {
  await sql`
    insert into released_locks_ledger (community, endpoint_id, held_from, held_until, bytes)
    select ${rule.account}, endpoint_id, created_at, greatest(created_at, ${now}::timestamptz), bytes
    from data_locks where rule_id = ${rule.id} and bytes > 0`.execute(db)
  await db.deleteFrom('data_rules').where('id', '=', rule.id).execute()
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
