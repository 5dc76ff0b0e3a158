/** The only code that reads and writes the `policies` table (every version of every policy). */
import type { Selectable } from 'kysely'
import { mapDatabaseError, type Executor, type PoliciesTable } from '../db/index.js'

export type PolicyRow = Selectable<PoliciesTable>

/** The newest version of each policy, deleted ones included (callers filter). */
export async function listCurrentPolicyRows(db: Executor): Promise<PolicyRow[]> {
  const rows = await db
    .selectFrom('policies')
    .selectAll()
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute()
  const seen = new Set<string>()
  return rows.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)))
}

export async function listPolicyVersionRows(db: Executor, name: string): Promise<PolicyRow[]> {
  return db
    .selectFrom('policies')
    .selectAll()
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .execute()
}

export async function latestPolicyVersion(db: Executor, name: string): Promise<number> {
  const row = await db
    .selectFrom('policies')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('name', '=', name)
    .executeTakeFirst()
  return Number(row?.v ?? 0)
}

export async function insertPolicyRow(db: Executor, row: PolicyRow): Promise<void> {
  try {
    await db.insertInto('policies').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'CONFLICT', message: `policy '${row.name}' changed concurrently; retry` },
      details: { name: row.name },
    })
  }
}

/** A cheap fingerprint of the whole table: changes whenever any version is added. */
export async function policyTableStamp(db: Executor): Promise<string> {
  const row = await db
    .selectFrom('policies')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('created_at').as('latest')])
    .executeTakeFirst()
  return `${String(row?.n ?? 0)}:${row?.latest ? new Date(row.latest).toISOString() : ''}`
}
