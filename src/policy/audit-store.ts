/** The only code that reads and writes `audit_log`. Rows are only ever inserted. */
import type { Insertable, Selectable } from 'kysely'
import type { AuditLogTable, Executor } from '../db/index.js'

export type AuditRow = Selectable<AuditLogTable>
export type NewAuditRow = Insertable<AuditLogTable>

export async function insertAuditRows(db: Executor, rows: NewAuditRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('audit_log').values(rows).execute()
}

export interface AuditFilter {
  principal?: string | undefined
  action?: string | undefined
  decision?: string | undefined
  since?: Date | undefined
  until?: Date | undefined
  /** Newest first: rows with id below this. */
  before?: number | undefined
  limit: number
}

export async function listAuditRows(db: Executor, f: AuditFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll()
  if (f.principal !== undefined) q = q.where('principal', '=', f.principal)
  if (f.action !== undefined) q = q.where('action', '=', f.action)
  if (f.decision !== undefined) q = q.where('decision', '=', f.decision)
  if (f.since !== undefined) q = q.where('at', '>=', f.since)
  if (f.until !== undefined) q = q.where('at', '<', f.until)
  if (f.before !== undefined) q = q.where('id', '<', f.before)
  return q.orderBy('id', 'desc').limit(f.limit).execute()
}

/** Deletes up to `limit` rows older than `cutoff`, oldest first; returns how many. */
export async function deleteAuditRowsBefore(
  db: Executor,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where(
      'id',
      'in',
      db.selectFrom('audit_log').select('id').where('at', '<', cutoff).orderBy('at').limit(limit),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
