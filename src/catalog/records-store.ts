/**
 * The only code that reads and writes the landscape tables described in kinds.ts. Queries are
 * built from the descriptors with Kysely's `sql` (identifiers come from the descriptors, never
 * from requests; values are always bound parameters).
 */
import { sql, type RawBuilder } from 'kysely'
import { mapDatabaseError, type Executor } from '../db/index.js'
import type { FieldSpec, KindSpec } from './kinds.js'

export type Row = Record<string, unknown> & {
  id: string
  name: string
  created_at: Date
  updated_at: Date
}

function selectSql(spec: KindSpec): RawBuilder<unknown> {
  const refs = spec.fields.filter((fs) => fs.type === 'ref')
  const joins = refs.map(
    (fs, i) =>
      sql`left join ${sql.table(fs.ref!)} as ${sql.ref(`r${i}`)} on ${sql.ref(`r${i}.id`)} = ${sql.ref(`t.${fs.column}`)}`,
  )
  const refNames = refs.map(
    (fs, i) => sql`, ${sql.ref(`r${i}.name`)} as ${sql.ref(`${fs.column}__name`)}`,
  )
  return sql`select t.*${sql.join(refNames, sql``)} from ${sql.table(spec.table)} as t ${sql.join(joins, sql` `)}`
}

export interface RowFilter {
  id?: string
  name?: string
  refs?: Record<string, string>
  q?: string
  after?: [string, string]
  limit?: number
}

export async function selectRows(db: Executor, spec: KindSpec, filter: RowFilter): Promise<Row[]> {
  const where: RawBuilder<unknown>[] = [sql`true`]
  if (filter.id !== undefined) where.push(sql`t.id = ${filter.id}`)
  if (filter.name !== undefined) where.push(sql`t.name = ${filter.name}`)
  for (const [column, id] of Object.entries(filter.refs ?? {})) {
    where.push(sql`${sql.ref(`t.${column}`)} = ${id}`)
  }
  if (filter.q !== undefined) {
    where.push(
      sql`lower(t.name) like ${`%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
    )
  }
  if (filter.after !== undefined) {
    where.push(sql`(t.name, t.id::text) > (${filter.after[0]}, ${filter.after[1]})`)
  }
  const limit = filter.limit === undefined ? sql`` : sql` limit ${filter.limit}`
  const result =
    await sql<Row>`${selectSql(spec)} where ${sql.join(where, sql` and `)} order by t.name, t.id::text${limit}`.execute(
      db,
    )
  return result.rows
}

/** Ids of the records of `table` with these names (members are never looked up this way). */
export async function idsByName(
  db: Executor,
  table: string,
  names: string[],
): Promise<Map<string, string>> {
  if (names.length === 0) return new Map()
  const result = await sql<{
    id: string
    name: string
  }>`select id, name from ${sql.table(table)} where name in (${sql.join(names)})`.execute(db)
  return new Map(result.rows.map((r) => [r.name, r.id]))
}

function value(fs: FieldSpec, v: unknown): unknown {
  if (fs.type === 'json') return v === null ? null : JSON.stringify(v)
  return v
}

export async function insertRow(
  db: Executor,
  spec: KindSpec,
  row: Record<string, unknown>,
  label: string,
): Promise<void> {
  const columns = Object.keys(row)
  const byColumn = new Map(spec.fields.map((fs) => [fs.column, fs]))
  const values = columns.map((c) => {
    const fs = byColumn.get(c)
    return fs ? value(fs, row[c]) : row[c]
  })
  try {
    await sql`insert into ${sql.table(spec.table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values (${sql.join(values)})`.execute(
      db,
    )
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: spec.exists, message: `${spec.label} '${label}' exists already` },
      details: { name: label },
    })
  }
}

export async function updateRow(
  db: Executor,
  spec: KindSpec,
  id: string,
  changes: Record<string, unknown>,
): Promise<void> {
  const byColumn = new Map(spec.fields.map((fs) => [fs.column, fs]))
  const sets = Object.entries(changes).map(([c, v]) => {
    const fs = byColumn.get(c)
    return sql`${sql.ref(c)} = ${fs ? value(fs, v) : v}`
  })
  await sql`update ${sql.table(spec.table)} set ${sql.join(sets)} where id = ${id}`.execute(db)
}

export async function deleteRow(
  db: Executor,
  spec: KindSpec,
  id: string,
  label: string,
): Promise<void> {
  try {
    await sql`delete from ${sql.table(spec.table)} where id = ${id}`.execute(db)
  } catch (err) {
    throw mapDatabaseError(err, {
      foreignKey: {
        code: 'RECORD_IN_USE',
        message: `${spec.label} '${label}' is referenced by other records`,
      },
      details: { kind: spec.kind, name: label },
    })
  }
}

/** Names of records whose jsonb name list (or text column) mentions `name`. */
export async function findNameListUsers(
  db: Executor,
  table: string,
  column: string,
  jsonPath: string[] | null,
  name: string,
): Promise<string[]> {
  const target =
    jsonPath === null
      ? sql`${sql.ref(column)} = ${name}`
      : jsonPath.length === 0
        ? sql`${sql.ref(column)} @> ${JSON.stringify([name])}::jsonb`
        : sql`${sql.ref(column)} -> ${jsonPath[0]} @> ${JSON.stringify([name])}::jsonb`
  const result = await sql<{
    name: string
  }>`select name from ${sql.table(table)} where ${target} order by name limit 5`.execute(db)
  return result.rows.map((r) => r.name)
}
