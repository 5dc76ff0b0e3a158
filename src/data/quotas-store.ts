/** The only code that reads and writes data_quotas, and what the quotas are checked against. */
import { sql } from 'kysely'
import type { Executor } from '../db/index.js'

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

export async function upsertExpressionQuotaRow(
  db: Executor,
  row: { owner: string; expression: string; bytes: number; createdBy: string; now: Date },
): Promise<void> {
  await db
    .insertInto('data_expression_quotas')
    .values({
      owner: row.owner,
      expression: row.expression,
      bytes: row.bytes,
      created_by: row.createdBy,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc.columns(['owner', 'expression']).doUpdateSet({ bytes: row.bytes, updated_at: row.now }),
    )
    .execute()
}

export async function listExpressionQuotaRows(
  db: Executor,
  owner?: string,
): Promise<Array<{ owner: string; expression: string; bytes: number }>> {
  let query = db.selectFrom('data_expression_quotas').select(['owner', 'expression', 'bytes'])
  if (owner !== undefined) query = query.where('owner', '=', owner)
  return query.orderBy('owner').orderBy('expression').execute()
}
