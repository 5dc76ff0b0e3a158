/**
 * src/db/schema.ts says what the migrations make: on both backends, the tables and columns of
 * a migrated database (information_schema) are those of the `DB` interface, with the same
 * nullability, a default wherever the interface says `Generated`, and compatible types.
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { openTestDatabase, testBackends, type TestDatabase } from '../src/db/testing.js'
import { columnTypes, readDeclaredSchema } from './support/schema-interfaces.js'

interface ActualColumn {
  table_name: string
  column_name: string
  is_nullable: 'YES' | 'NO'
  column_default: string | null
  is_identity: 'YES' | 'NO'
  is_generated: 'ALWAYS' | 'NEVER'
  data_type: string
}

const declared = readDeclaredSchema(fileURLToPath(new URL('../src/db/schema.ts', import.meta.url)))

for (const backend of await testBackends()) {
  describe(`schema.ts against the migrations [${backend.name}]`, { skip: backend.skip }, () => {
    let database: TestDatabase
    let actual: Map<string, Map<string, ActualColumn>>
    before(async () => {
      database = await openTestDatabase(backend.name)
      const { rows } = await sql<ActualColumn>`
        select c.table_name, c.column_name, c.is_nullable, c.column_default, c.is_identity,
               c.is_generated, c.data_type
        from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position`.execute(database.db)
      actual = new Map()
      for (const row of rows) {
        const table = actual.get(row.table_name) ?? new Map<string, ActualColumn>()
        table.set(row.column_name, row)
        actual.set(row.table_name, table)
      }
    })
    after(async () => {
      await database.close()
    })

    it('has the same tables', () => {
      assert.deepEqual([...declared.keys()].sort(), [...actual.keys()].sort())
    })

    it('has the same columns in each table', () => {
      const problems: string[] = []
      for (const [table, columns] of declared) {
        const real = actual.get(table) ?? new Map<string, ActualColumn>()
        for (const c of columns.keys()) {
          if (!real.has(c)) problems.push(`${table}.${c}: not in the database`)
        }
        for (const c of real.keys()) {
          if (!columns.has(c)) problems.push(`${table}.${c}: not in schema.ts`)
        }
      }
      assert.deepEqual(problems, [])
    })

    it('agrees on nullability, defaults and types', () => {
      const problems: string[] = []
      for (const [table, columns] of declared) {
        for (const [column, want] of columns) {
          const got = actual.get(table)?.get(column)
          if (!got) continue
          const where = `${table}.${column}`
          if (want.nullable !== 'unknown' && want.nullable !== (got.is_nullable === 'YES')) {
            problems.push(
              `${where}: schema.ts ${want.nullable ? 'nullable' : 'not null'}, database ${got.is_nullable === 'YES' ? 'nullable' : 'not null'}`,
            )
          }
          const filled =
            got.column_default !== null ||
            got.is_identity === 'YES' ||
            got.is_generated === 'ALWAYS'
          // a nullable column without a default is filled too: with null
          if (want.generated && !filled && got.is_nullable === 'NO') {
            problems.push(`${where}: Generated in schema.ts, no default in the database`)
          }
          const allowed = columnTypes[want.family]
          if (allowed !== 'any' && !allowed.includes(got.data_type)) {
            problems.push(`${where}: ${want.family} in schema.ts, ${got.data_type} in the database`)
          }
        }
      }
      assert.deepEqual(problems, [])
    })
  })
}
