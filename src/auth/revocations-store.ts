/** The only code that reads and writes `auth_revocations`. */
import type { Selectable } from 'kysely'
import { mapDatabaseError, type AuthRevocationsTable, type Executor } from '../db/index.js'

export type RevocationRow = Selectable<AuthRevocationsTable>

export async function insertRevocation(db: Executor, row: RevocationRow): Promise<void> {
  try {
    await db.insertInto('auth_revocations').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'REVOCATION_ALREADY_EXISTS',
        message: `membership of ${row.subject} in ${row.community} is revoked already`,
      },
      details: { subject: row.subject, community: row.community },
    })
  }
}

export async function listRevocationRows(db: Executor): Promise<RevocationRow[]> {
  return db.selectFrom('auth_revocations').selectAll().orderBy('created_at').execute()
}

export async function deleteRevocationRow(db: Executor, id: string): Promise<boolean> {
  const r = await db.deleteFrom('auth_revocations').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}
