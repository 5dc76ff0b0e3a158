/** The only code that reads and writes data_scopes, data_dids and data_attachments. */
import { sql, type Selectable } from 'kysely'
import {
  mapDatabaseError,
  type DataDidsTable,
  type DataScopesTable,
  type Executor,
} from '../db/index.js'
import type { MetaCondition } from './metadata-filter.js'

export type DidRow = Selectable<DataDidsTable>
export type ScopeRow = Selectable<DataScopesTable>
type Key = { scope: string; name: string }

export async function insertScopeRow(db: Executor, row: ScopeRow): Promise<void> {
  try {
    await db.insertInto('data_scopes').values(row).execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'SCOPE_ALREADY_EXISTS', message: `scope '${row.name}' exists already` },
      details: { scope: row.name },
    })
  }
}

export async function findScopeRow(
  db: Executor,
  name: string,
): Promise<(ScopeRow & { community: string | null }) | undefined> {
  return db
    .selectFrom('data_scopes as s')
    .leftJoin('communities as c', 'c.id', 's.community_id')
    .selectAll('s')
    .select('c.name as community')
    .where('s.name', '=', name)
    .executeTakeFirst()
}

export async function updateScopeRow(
  db: Executor,
  name: string,
  changes: { public: boolean },
): Promise<boolean> {
  const result = await db
    .updateTable('data_scopes')
    .set(changes)
    .where('name', '=', name)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function listScopeRows(
  db: Executor,
): Promise<Array<ScopeRow & { community: string | null }>> {
  return db
    .selectFrom('data_scopes as s')
    .leftJoin('communities as c', 'c.id', 's.community_id')
    .selectAll('s')
    .select('c.name as community')
    .orderBy('s.name')
    .limit(10_000)
    .execute()
}

export interface NewDidRow {
  scope: string
  name: string
  type: string
  monotonic: boolean
  bytes: number | null
  adler32: string | null
  sha256: string | null
  meta: Record<string, unknown>
  account: string
  created_by: string | null
  created_at: Date
  updated_at: Date
}

export async function insertDidRow(db: Executor, row: NewDidRow): Promise<void> {
  try {
    await db
      .insertInto('data_dids')
      .values({ ...row, meta: JSON.stringify(row.meta) })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'DID_ALREADY_EXISTS',
        message: `'${row.scope}:${row.name}' exists or existed; names are never reused`,
      },
      foreignKey: { code: 'SCOPE_NOT_FOUND', message: `scope '${row.scope}' not found` },
      details: { did: `${row.scope}:${row.name}` },
    })
  }
}

/** Live (not deleted) identifier; `forUpdate` locks the row for the rest of the transaction. */
export async function findDidRow(
  db: Executor,
  key: Key,
  options: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<DidRow | undefined> {
  let query = db
    .selectFrom('data_dids')
    .selectAll()
    .where('scope', '=', key.scope)
    .where('name', '=', key.name)
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function updateDidRow(
  db: Executor,
  key: Key,
  changes: { status?: string; meta?: Record<string, unknown>; updated_at: Date; deleted_at?: Date },
): Promise<void> {
  const { meta, ...rest } = changes
  await db
    .updateTable('data_dids')
    .set({ ...rest, ...(meta === undefined ? {} : { meta: JSON.stringify(meta) }) })
    .where('scope', '=', key.scope)
    .where('name', '=', key.name)
    .execute()
}

export interface DidFilter {
  scope: string
  namePattern?: string | undefined
  type?: string | undefined
  conditions: MetaCondition[]
  after?: string | undefined
  limit: number
}

export async function listDidRows(db: Executor, f: DidFilter): Promise<DidRow[]> {
  let query = db
    .selectFrom('data_dids')
    .selectAll()
    .where('scope', '=', f.scope)
    .where('deleted_at', 'is', null)
  if (f.namePattern !== undefined && f.namePattern !== '*') {
    const like = f.namePattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%')
    query = query.where('name', 'like', like)
  }
  if (f.type !== undefined) query = query.where('type', '=', f.type)
  for (const c of f.conditions) {
    if (c.op === '=') query = query.where(sql<boolean>`meta ->> ${c.key} = ${c.value}`)
    else if (c.op === '!=') {
      query = query.where(sql<boolean>`coalesce(meta ->> ${c.key} <> ${c.value}, true)`)
    } else {
      // The cast runs only for numeric values, so a text value never raises an error.
      const op = sql.raw(c.op)
      query = query.where(
        sql<boolean>`case when jsonb_typeof(meta -> ${c.key}) = 'number' then (meta ->> ${c.key})::numeric ${op} ${c.value} else false end`,
      )
    }
  }
  if (f.after !== undefined) query = query.where('name', '>', f.after)
  return query.orderBy('name').limit(f.limit).execute()
}

export async function insertAttachmentRows(
  db: Executor,
  parent: Key,
  children: Key[],
  now: Date,
): Promise<number> {
  if (children.length === 0) return 0
  const rows = children.map((c) => ({
    parent_scope: parent.scope,
    parent_name: parent.name,
    child_scope: c.scope,
    child_name: c.name,
    created_at: now,
  }))
  const result = await db
    .insertInto('data_attachments')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n)
}

export async function deleteAttachmentRows(
  db: Executor,
  parent: Key,
  children: Key[],
): Promise<number> {
  let total = 0
  for (const c of children) {
    const r = await db
      .deleteFrom('data_attachments')
      .where('parent_scope', '=', parent.scope)
      .where('parent_name', '=', parent.name)
      .where('child_scope', '=', c.scope)
      .where('child_name', '=', c.name)
      .executeTakeFirst()
    total += Number(r.numDeletedRows)
  }
  return total
}

/** Removes every attachment of a deleted identifier, upwards and downwards. */
export async function deleteAllAttachments(db: Executor, key: Key): Promise<void> {
  await db
    .deleteFrom('data_attachments')
    .where('parent_scope', '=', key.scope)
    .where('parent_name', '=', key.name)
    .execute()
  await db
    .deleteFrom('data_attachments')
    .where('child_scope', '=', key.scope)
    .where('child_name', '=', key.name)
    .execute()
}

/** Every collection above `key` (transitively); used to refuse cycles and to find rules. */
export async function listAncestorKeys(db: Executor, key: Key): Promise<Key[]> {
  const result = await sql<Key>`
    with recursive up(scope, name, depth) as (
      select parent_scope, parent_name, 1 from data_attachments where child_scope = ${key.scope} and child_name = ${key.name}
      union
      select a.parent_scope, a.parent_name, up.depth + 1 from data_attachments a join up on a.child_scope = up.scope and a.child_name = up.name
      where up.depth < 100
    )
    select distinct scope, name from up`.execute(db)
  return result.rows
}

/** Direct content of a collection, with the children's rows, paged by (scope, name). */
export async function listChildRows(
  db: Executor,
  parent: Key,
  after: Key | undefined,
  limit: number,
): Promise<DidRow[]> {
  let query = db
    .selectFrom('data_attachments as a')
    .innerJoin('data_dids as d', (j) =>
      j.onRef('d.scope', '=', 'a.child_scope').onRef('d.name', '=', 'a.child_name'),
    )
    .selectAll('d')
    .where('a.parent_scope', '=', parent.scope)
    .where('a.parent_name', '=', parent.name)
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('d.scope', '>', after.scope),
        eb.and([eb('d.scope', '=', after.scope), eb('d.name', '>', after.name)]),
      ]),
    )
  }
  return query.orderBy('d.scope').orderBy('d.name').limit(limit).execute()
}

/** Every file below a collection (or the file itself), streamed in pages by the caller. */
export async function listFileKeysBelow(
  db: Executor,
  key: Key,
): Promise<Array<Key & { bytes: number | null; adler32: string | null }>> {
  const result = await sql<Key & { bytes: number | null; adler32: string | null }>`
    with recursive down(scope, name, depth) as (
      select ${key.scope}::text, ${key.name}::text, 0
      union
      select a.child_scope, a.child_name, down.depth + 1 from data_attachments a join down on a.parent_scope = down.scope and a.parent_name = down.name
      where down.depth < 100
    )
    select distinct d.scope, d.name, d.bytes, d.adler32 from down join data_dids d on d.scope = down.scope and d.name = down.name
    where d.type = 'file' and d.deleted_at is null
    order by d.scope, d.name`.execute(db)
  return result.rows
}

/** A file of a page, with where its replicas are and in which state. */
export type PageFile = Key & {
  bytes: number | null
  adler32: string | null
  replicas: Array<{ endpoint_id: string; state: string }>
}

/**
 * One page of the files below a DID, in (scope, name) order after `after`, each with its
 * replicas (one statement): a dataset's files straight from its attachments (an index range per
 * page), a container's through the recursive walk, a file itself. A rule on a 100k-file dataset
 * reads its files this way, page by page.
 */
export async function listFileKeysPage(
  db: Executor,
  key: Key & { type: string },
  after: Key | undefined,
  limit: number,
): Promise<PageFile[]> {
  const a = after ?? { scope: '', name: '' }
  if (key.type === 'file' && after) return []
  const page =
    key.type === 'file'
      ? sql`select scope, name, bytes, adler32 from data_dids
          where scope = ${key.scope} and name = ${key.name} and deleted_at is null`
      : key.type === 'dataset'
        ? sql`select d.scope, d.name, d.bytes, d.adler32 from data_attachments t
            join data_dids d on d.scope = t.child_scope and d.name = t.child_name
            where t.parent_scope = ${key.scope} and t.parent_name = ${key.name} and (t.child_scope, t.child_name) > (${a.scope}, ${a.name})
              and d.type = 'file' and d.deleted_at is null
            order by t.child_scope, t.child_name limit ${limit}`
        : sql`with recursive down(scope, name, depth) as (
              select ${key.scope}::text, ${key.name}::text, 0
              union
              select a.child_scope, a.child_name, down.depth + 1 from data_attachments a join down on a.parent_scope = down.scope and a.parent_name = down.name
              where down.depth < 100
            )
            select distinct d.scope, d.name, d.bytes, d.adler32 from down join data_dids d on d.scope = down.scope and d.name = down.name
            where d.type = 'file' and d.deleted_at is null and (d.scope, d.name) > (${a.scope}, ${a.name})
            order by d.scope, d.name limit ${limit}`
  const result = await sql<PageFile>`
    select p.scope, p.name, p.bytes, p.adler32,
      coalesce((select json_agg(json_build_object('endpoint_id', r.endpoint_id, 'state', r.state))
                from data_replicas r where r.scope = p.scope and r.name = p.name), '[]'::json) as replicas
    from (${page}) p order by p.scope, p.name`.execute(db)
  return result.rows
}

/**
 * What each endpoint holds of the files below a DID, in one statement: for every usable
 * (available or arriving) replica, the file's bytes (at least 1, so that empty files count).
 * A rule whose files form one placement group chooses its endpoints from this sum alone.
 */
export async function sumHeldBytesByEndpoint(
  db: Executor,
  key: Key & { type: string },
): Promise<Map<string, number>> {
  const files =
    key.type === 'file'
      ? sql`select scope, name, bytes from data_dids where scope = ${key.scope} and name = ${key.name} and deleted_at is null`
      : key.type === 'dataset'
        ? sql`select d.scope, d.name, d.bytes from data_attachments t
            join data_dids d on d.scope = t.child_scope and d.name = t.child_name
            where t.parent_scope = ${key.scope} and t.parent_name = ${key.name} and d.type = 'file' and d.deleted_at is null`
        : sql`select distinct d.scope, d.name, d.bytes from (
              with recursive down(scope, name, depth) as (
                select ${key.scope}::text, ${key.name}::text, 0
                union
                select a.child_scope, a.child_name, down.depth + 1 from data_attachments a join down on a.parent_scope = down.scope and a.parent_name = down.name
                where down.depth < 100)
              select scope, name from down) w
            join data_dids d on d.scope = w.scope and d.name = w.name
            where d.type = 'file' and d.deleted_at is null`
  const result = await sql<{ endpoint_id: string; held: number | string }>`
    select r.endpoint_id, sum(greatest(1, coalesce(f.bytes, 0)))::float8 as held
    from (${files}) f join data_replicas r on r.scope = f.scope and r.name = f.name
    where r.state in ('available', 'copying')
    group by r.endpoint_id`.execute(db)
  return new Map(result.rows.map((r) => [r.endpoint_id, Number(r.held)]))
}
