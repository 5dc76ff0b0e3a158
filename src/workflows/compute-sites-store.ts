/**
 * The only code that touches compute_sites: the executor bindings (local or Slurm settings) of
 * the places tasks can run, each optionally linked to a catalogue compute service.
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import { mapDatabaseError, type ComputeSitesTable, type Executor } from '../db/index.js'
import { activeStates } from './types.js'

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

/** Adds a binding; a second one of the name or of the compute service is ALREADY_EXISTS. */
export async function insertComputeSiteRow(
  db: Executor,
  row: Insertable<ComputeSitesTable>,
): Promise<void> {
  try {
    await db.insertInto('compute_sites').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'COMPUTE_SITE_ALREADY_EXISTS',
        message: `compute site '${row.name}' or a binding of its compute service exists already`,
      },
      details: { name: row.name },
    })
  }
}

/** Changes a binding; answers whether it existed. */
export async function updateComputeSiteRow(
  db: Executor,
  name: string,
  changes: Updateable<ComputeSitesTable>,
): Promise<boolean> {
  try {
    const result = await db
      .updateTable('compute_sites')
      .set(changes)
      .where('name', '=', name)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'COMPUTE_SITE_ALREADY_EXISTS',
        message: `another compute site binds that compute service already`,
      },
      details: { name },
    })
  }
}

export async function findComputeSiteRow(
  db: Executor,
  name: string,
  options: { lock?: boolean } = {},
): Promise<ComputeSiteRow | undefined> {
  let q = db.selectFrom('compute_sites').selectAll().where('name', '=', name)
  if (options.lock) q = q.forUpdate()
  return q.executeTakeFirst()
}

export async function deleteComputeSiteRow(db: Executor, name: string): Promise<void> {
  await db.deleteFrom('compute_sites').where('name', '=', name).execute()
}

/** Unfinished tasks placed on a site (queued, staging, submitted, running …). */
export async function countActiveTasksAt(db: Executor, site: string): Promise<number> {
  const row = await db
    .selectFrom('workflow_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('site', '=', site)
    .where('state', 'in', activeStates)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
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
