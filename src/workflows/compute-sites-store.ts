/**
 * The only code that touches compute_sites: the executor bindings (local or Slurm settings) of
 * the places tasks can run, each optionally linked to a catalogue compute service.
 */
import { sql, type Insertable, type Selectable } from 'kysely'
import type { ComputeSitesTable, Executor } from '../db/index.js'

export type ComputeSiteRow = Selectable<ComputeSitesTable>

export async function upsertComputeSiteRow(
  db: Executor,
  row: Insertable<ComputeSitesTable>,
): Promise<void> {
  const { name: _n, created_at: _c, ...changes } = row
  await db
    .insertInto('compute_sites')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet(changes))
    .execute()
}

export async function findComputeSiteName(db: Executor, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('compute_sites')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst()
  return row?.name
}

export async function listComputeSiteRows(db: Executor): Promise<ComputeSiteRow[]> {
  return db.selectFrom('compute_sites').selectAll().orderBy('name').execute()
}

/** Core-hours used per site (sites with a workflows-only allocation). */
export async function sumCoreHoursBySite(
  db: Executor,
  sites: string[],
): Promise<Map<string, number>> {
  if (sites.length === 0) return new Map()
  const result = await sql<{ site: string; core_hours: number }>`
    select site, coalesce(sum(cores * wall_s), 0) / 3600.0 as core_hours
    from usage_records where site in (${sql.join(sites)}) group by site`.execute(db)
  return new Map(result.rows.map((r) => [r.site, Number(r.core_hours)]))
}

/** Core-hours a community used on a site since a date, for each (site, community, since) asked. */
export async function sumCoreHoursSince(
  db: Executor,
  asks: Array<{ site: string; community: string; since: Date }>,
): Promise<number[]> {
  if (asks.length === 0) return []
  const values = sql.join(
    asks.map(
      (a, i) => sql`(${i}::int, ${a.site}::text, ${a.community}::text, ${a.since}::timestamptz)`,
    ),
  )
  const result = await sql<{ i: number; core_hours: number }>`
    select v.i, coalesce(sum(u.cores * u.wall_s), 0) / 3600.0 as core_hours
    from (values ${values}) as v(i, site, community, since)
    left join usage_records u on u.site = v.site and u.community = v.community and u.finished_at >= v.since
    group by v.i`.execute(db)
  const out = asks.map(() => 0)
  for (const r of result.rows) out[Number(r.i)] = Number(r.core_hours)
  return out
}
