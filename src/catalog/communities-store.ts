/** The only code that reads and writes the `communities` table. */
import type { Selectable } from 'kysely'
import { mapDatabaseError, type CommunitiesTable, type Executor } from '../db/index.js'

export type CommunityRow = Selectable<CommunitiesTable>

export async function findCommunityRow(db: Executor, by: { id: string } | { name: string }): Promise<CommunityRow | undefined> {
  const query = db.selectFrom('communities').selectAll()
  return 'id' in by ? query.where('id', '=', by.id).executeTakeFirst() : query.where('name', '=', by.name).executeTakeFirst()
}

export async function listCommunityRows(db: Executor, f: { q?: string | undefined; field?: string | undefined; after?: string | undefined; limit: number }): Promise<CommunityRow[]> {
  let query = db.selectFrom('communities').selectAll()
  if (f.field !== undefined) query = query.where('field', '=', f.field)
  if (f.q !== undefined) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', pattern), eb(eb.fn('lower', ['title']), 'like', pattern)]))
  }
  if (f.after !== undefined) query = query.where('name', '>', f.after)
  return query.orderBy('name').limit(f.limit).execute()
}

export async function insertCommunityRow(db: Executor, row: CommunityRow): Promise<void> {
  try {
    await db.insertInto('communities').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'COMMUNITY_ALREADY_EXISTS', message: `community '${row.name}' exists already` },
      details: { name: row.name },
    })
  }
}

export async function updateCommunityRow(db: Executor, id: string, changes: Partial<Omit<CommunityRow, 'id' | 'name' | 'created_at'>>): Promise<void> {
  await db.updateTable('communities').set(changes).where('id', '=', id).execute()
}

export async function deleteCommunityRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('communities').where('id', '=', id).execute()
}
