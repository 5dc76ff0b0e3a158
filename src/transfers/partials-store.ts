/**
 * The only code that reads and writes storage_partial_files: what the partial-file reaper last
 * counted on each POSIX endpoint (see agents/partial-reaper.ts).
 */
import type { Selectable } from 'kysely'
import type { Executor, StoragePartialFilesTable } from '../db/index.js'

export type PartialFilesRow = Selectable<StoragePartialFilesTable>

export async function upsertPartialFiles(db: Executor, row: PartialFilesRow): Promise<void> {
  await db
    .insertInto('storage_partial_files')
    .values(row)
    .onConflict((oc) =>
      oc.column('endpoint_id').doUpdateSet({
        files: row.files,
        bytes: row.bytes,
        removed_files: row.removed_files,
        removed_bytes: row.removed_bytes,
        counted_at: row.counted_at,
      }),
    )
    .execute()
}

/** Each counted endpoint with its name. */
export async function listPartialFiles(
  db: Executor,
): Promise<Array<PartialFilesRow & { endpoint: string }>> {
  return db
    .selectFrom('storage_partial_files as p')
    .innerJoin('storage_endpoints as e', 'e.id', 'p.endpoint_id')
    .select([
      'p.endpoint_id',
      'e.name as endpoint',
      'p.files',
      'p.bytes',
      'p.removed_files',
      'p.removed_bytes',
      'p.counted_at',
    ])
    .orderBy('e.name')
    .execute()
}
