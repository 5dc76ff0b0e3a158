/**
 * Landed migrations cannot drift: each one's sha256 is recorded in migrations/checksums.json,
 * and a migration that changed, vanished or was never registered fails here — before a
 * database that ran the old text refuses to start.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { loadMigrations } from './migrator.js'

const recorded = (
  JSON.parse(readFileSync(new URL('./migrations/checksums.json', import.meta.url), 'utf8')) as {
    migrations: Record<string, string>
  }
).migrations

describe('migration checksums', () => {
  const migrations = loadMigrations()
  const fileOf = (m: { version: number; name: string }) =>
    `${String(m.version).padStart(4, '0')}_${m.name}.sql`

  it('has every migration registered', () => {
    const missing = migrations.map(fileOf).filter((file) => !(file in recorded))
    assert.deepEqual(
      missing,
      [],
      `new migrations must be registered: run \`npm run db:checksums\` and commit src/db/migrations/checksums.json`,
    )
  })

  it('finds every landed migration unchanged', () => {
    for (const m of migrations) {
      const want = recorded[fileOf(m)]
      if (want === undefined) continue
      assert.equal(
        m.checksum,
        want,
        `${fileOf(m)} changed after it landed: restore it and put the change in a new migration`,
      )
    }
  })

  it('keeps every registered migration', () => {
    const present = new Set(migrations.map(fileOf))
    const gone = Object.keys(recorded).filter((file) => !present.has(file))
    assert.deepEqual(gone, [], 'landed migrations are never deleted')
  })
})
