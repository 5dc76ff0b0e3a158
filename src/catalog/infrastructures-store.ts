/** The only code that reads and writes the `infrastructures` table. */
import type { Selectable } from 'kysely'
import { mapDatabaseError, type Executor, type InfrastructuresTable } from '../db/index.js'

export type InfrastructureRow = Selectable<InfrastructuresTable> & { part_of_name: string | null }

export interface InfrastructureFilter {
  kind?: string | undefined
  country?: string | undefined
  status?: string | undefined
  partOfId?: string | undefined
  q?: string | undefined
  after?: string | undefined
  limit: number
}

function selectInfrastructures(db: Executor) {
  return db
    .selectFrom('infrastructures as i')
    .leftJoin('infrastructures as p', 'p.id', 'i.part_of')
    .selectAll('i')
    .select('p.name as part_of_name')
}

export async function findInfrastructureRow(
  db: Executor,
  by: { id: string } | { name: string },
): Promise<InfrastructureRow | undefined> {
  const query = selectInfrastructures(db)
  return 'id' in by
    ? query.where('i.id', '=', by.id).executeTakeFirst()
    : query.where('i.name', '=', by.name).executeTakeFirst()
}

export async function listInfrastructureRows(
  db: Executor,
  f: InfrastructureFilter,
): Promise<InfrastructureRow[]> {
  let query = selectInfrastructures(db)
  if (f.kind !== undefined) query = query.where('i.kind', '=', f.kind)
  if (f.country !== undefined) query = query.where('i.country', '=', f.country)
  if (f.status !== undefined) query = query.where('i.status', '=', f.status)
  if (f.partOfId !== undefined) query = query.where('i.part_of', '=', f.partOfId)
  if (f.q !== undefined) {
    const pattern = `%${escapeLike(f.q.toLowerCase())}%`
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['i.name']), 'like', pattern),
        eb(eb.fn('lower', ['i.title']), 'like', pattern),
      ]),
    )
  }
  if (f.after !== undefined) query = query.where('i.name', '>', f.after)
  return query.orderBy('i.name').limit(f.limit).execute()
}

export type NewInfrastructureRow = Omit<
  Selectable<InfrastructuresTable>,
  'created_at' | 'updated_at'
> & { created_at: Date; updated_at: Date }

export async function insertInfrastructureRow(
  db: Executor,
  row: NewInfrastructureRow,
): Promise<void> {
  try {
    await db.insertInto('infrastructures').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'INFRASTRUCTURE_ALREADY_EXISTS',
        message: `infrastructure '${row.name}' exists already`,
      },
      details: { name: row.name },
    })
  }
}

export type InfrastructureChanges = Partial<
  Omit<Selectable<InfrastructuresTable>, 'id' | 'name' | 'created_at'>
>

export async function updateInfrastructureRow(
  db: Executor,
  id: string,
  changes: InfrastructureChanges,
): Promise<boolean> {
  const result = await db
    .updateTable('infrastructures')
    .set(changes)
    .where('id', '=', id)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function deleteInfrastructureRow(
  db: Executor,
  id: string,
  name: string,
): Promise<boolean> {
  try {
    const result = await db.deleteFrom('infrastructures').where('id', '=', id).executeTakeFirst()
    return result.numDeletedRows > 0n
  } catch (err) {
    throw mapDatabaseError(err, {
      foreignKey: {
        code: 'INFRASTRUCTURE_IN_USE',
        message: `infrastructure '${name}' is referenced by other records (e.g. members with partOf='${name}')`,
      },
      details: { name },
    })
  }
}

/** Walks up the partOf chain from `id`; used to refuse cycles. */
export async function listAncestorIds(db: Executor, id: string, maxDepth = 64): Promise<string[]> {
  const out: string[] = []
  let current: string | null = id
  while (current !== null && out.length < maxDepth) {
    const row: { part_of: string | null } | undefined = await db
      .selectFrom('infrastructures')
      .select('part_of')
      .where('id', '=', current)
      .executeTakeFirst()
    current = row?.part_of ?? null
    if (current !== null) out.push(current)
  }
  return out
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** Every infrastructure's name, kind, country and parent: what allocation expressions match on. */
export async function listInfrastructureFacts(
  db: Executor,
): Promise<Array<{ name: string; kind: string; country: string; part_of_name: string | null }>> {
  return db
    .selectFrom('infrastructures as i')
    .leftJoin('infrastructures as p', 'p.id', 'i.part_of')
    .select(['i.name', 'i.kind', 'i.country', 'p.name as part_of_name'])
    .execute()
}
