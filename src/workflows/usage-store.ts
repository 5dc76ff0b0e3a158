/** Usage records written as tasks finish (the accounting reads them). */
import { sql, type Insertable } from 'kysely'
import type { Executor, UsageRecordsTable } from '../db/index.js'
import { inChunks } from './workflows-store.js'

export type NewUsageRecord = Insertable<UsageRecordsTable>

export async function insertUsageRows(db: Executor, rows: NewUsageRecord[]): Promise<void> {
  await inChunks(rows, (part) =>
    db
      .insertInto('usage_records')
      .values(part)
      .onConflict((oc) => oc.columns(['task_id', 'attempt']).doNothing())
      .execute(),
  )
}

/**
 * What tasks charged to each allocation since a date, in the unit asked: core-hours (cores ×
 * wall time) or GPU-hours (accelerators × wall time); one figure per ask, in order.
 */
export async function sumChargedSince(
  db: Executor,
  asks: Array<{ allocation: string; since: Date; unit: 'core-hours' | 'gpu-hours' }>,
): Promise<number[]> {
  if (asks.length === 0) return []
  const values = sql.join(
    asks.map(
      (a, i) =>
        sql`(${i}::int, ${a.allocation}::text, ${a.since}::timestamptz, ${a.unit === 'gpu-hours'}::boolean)`,
    ),
  )
  const result = await sql<{ i: number; hours: number }>`
    select v.i, coalesce(sum(case when v.gpu then u.accelerators else u.cores end * u.wall_s), 0) / 3600.0 as hours
    from (values ${values}) as v(i, allocation, since, gpu)
    left join usage_records u on u.allocation = v.allocation and u.finished_at >= v.since
    group by v.i`.execute(db)
  const out = asks.map(() => 0)
  for (const r of result.rows) out[Number(r.i)] = Number(r.hours)
  return out
}

/** Per day (UTC) with tasks charged to `allocation` since `since`: tasks and hours (cores or GPUs). */
export async function chargedByDay(
  db: Executor,
  allocation: string,
  since: Date,
  unit: string,
): Promise<Array<{ day: string; tasks: number; hours: number }>> {
  const gpu = unit === 'gpu-hours'
  const result = await sql<{ day: string; tasks: number; hours: number }>`
    select to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as tasks,
      coalesce(sum(case when ${gpu}::boolean then accelerators else cores end * wall_s), 0) / 3600.0 as hours
    from usage_records where allocation = ${allocation} and finished_at >= ${since}
    group by 1 order by 1`.execute(db)
  return result.rows.map((r) => ({ day: r.day, tasks: Number(r.tasks), hours: Number(r.hours) }))
}
