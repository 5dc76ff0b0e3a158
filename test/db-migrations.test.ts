/** The migrator on both backends: forward-only, recorded, checked, atomic, and safe to race. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import {
  assertSchemaCurrent,
  latestVersion,
  loadMigrations,
  migrate,
  schemaVersion,
} from '../src/db/index.js'
import { openEmptyDatabase, testBackends } from '../src/db/testing.js'
import { ContinuumError } from '../src/platform/index.js'

async function tableExists(
  db: Awaited<ReturnType<typeof openEmptyDatabase>>,
  table: string,
): Promise<boolean> {
  const { rows } = await sql<{
    present: boolean
  }>`select to_regclass(${table}) is not null as present`.execute(db.db)
  return rows[0]?.present === true
}

function isCode(code: string) {
  return (err: unknown) => err instanceof ContinuumError && err.code === code
}

for (const backend of await testBackends()) {
  describe(`migrations [${backend.name}]`, { skip: backend.skip }, () => {
    it('applies every migration once, records checksums, and is a no-op the second time', async () => {
      const db = await openEmptyDatabase(backend.name)
      try {
        assert.equal(await schemaVersion(db), 0)
        await assert.rejects(assertSchemaCurrent(db), isCode('SCHEMA_OUT_OF_DATE'))
        const first = await migrate(db)
        assert.equal(first.applied.length, latestVersion())
        assert.equal(await schemaVersion(db), latestVersion())
        const second = await migrate(db)
        assert.deepEqual(second.applied, [])
        await assertSchemaCurrent(db)
        const recorded = await db.db
          .selectFrom('schema_migrations')
          .select(['version', 'checksum'])
          .orderBy('version')
          .execute()
        assert.deepEqual(
          recorded,
          loadMigrations().map((m) => ({ version: m.version, checksum: m.checksum })),
        )
      } finally {
        await db.close()
      }
    })

    it('refuses a landed migration that was edited, and a database newer than the code', async () => {
      const db = await openEmptyDatabase(backend.name)
      try {
        await migrate(db)
        const edited = loadMigrations().map((m, i) =>
          i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'different' } : m,
        )
        await assert.rejects(migrate(db, edited), isCode('MIGRATION_FAILED'))
        // The database has a migration this (older) code does not know.
        await assert.rejects(
          migrate(db, loadMigrations().slice(0, -1)),
          isCode('SCHEMA_OUT_OF_DATE'),
        )
      } finally {
        await db.close()
      }
    })

    it('rolls back a failing migration completely', async () => {
      const db = await openEmptyDatabase(backend.name)
      try {
        await migrate(db)
        const broken = {
          version: latestVersion() + 1,
          name: 'broken',
          sql: 'create table half_done (id int); select * from no_such_table;',
          checksum: 'x',
        }
        await assert.rejects(migrate(db, [...loadMigrations(), broken]), isCode('MIGRATION_FAILED'))
        assert.equal(await tableExists(db, 'half_done'), false, 'no partial schema')
        assert.equal(await schemaVersion(db), latestVersion())
      } finally {
        await db.close()
      }
    })

    if (backend.name === 'postgres') {
      it('lets several processes migrate at once: one applies, the others find nothing to do', async () => {
        const db = await openEmptyDatabase(backend.name)
        const others = await Promise.all([db.connectAgain(), db.connectAgain(), db.connectAgain()])
        try {
          const results = await Promise.all([db, ...others].map((d) => migrate(d)))
          const applied = results
            .flatMap((r) => r.applied.map((m) => m.version))
            .sort((a, b) => a - b)
          assert.deepEqual(
            applied,
            loadMigrations().map((m) => m.version),
            'each migration applied exactly once',
          )
          assert.equal(await schemaVersion(db), latestVersion())
        } finally {
          await Promise.all(others.map((o) => o.close()))
          await db.close()
        }
      })
    }
  })
}
