/**
 * Forward-only, numbered SQL migrations (`migrations/NNNN_name.sql`). Each file runs once, in
 * its own transaction, and is recorded with its checksum: an edited landed migration is an error,
 * and so is a database newer than this code. On PostgreSQL a session-level advisory lock makes
 * concurrent start-ups safe: one process migrates, the others wait and then find nothing to do.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ContinuumError } from '../platform/index.js'
import type { Database, ScriptSession } from './connect.js'

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export interface MigrationResult {
  applied: Array<Pick<Migration, 'version' | 'name'>>
  current: number
}

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

/** Arbitrary constant shared by every Continuum process: "the schema is being migrated". */
const MIGRATION_LOCK_KEY = 7_220_451_113

let cached: Migration[] | undefined

export function loadMigrations(dir = migrationsDir): Migration[] {
  if (dir === migrationsDir && cached) return cached
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
  const migrations = files.map((file, index) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file)
    if (!match) throw new ContinuumError('MIGRATION_FAILED', `migration file name '${file}' must look like 0001_name.sql`, { file })
    const version = Number(match[1])
    if (version !== index + 1) throw new ContinuumError('MIGRATION_FAILED', `migration ${file} is out of sequence: expected version ${index + 1}`, { file })
    const sql = readFileSync(path.join(dir, file), 'utf8')
    return { version, name: match[2] as string, sql, checksum: createHash('sha256').update(sql).digest('hex') }
  })
  if (dir === migrationsDir) cached = migrations
  return migrations
}

export function latestVersion(): number {
  return loadMigrations().length
}

export async function migrate(database: Database, migrations = loadMigrations()): Promise<MigrationResult> {
  return database.withSession(async (session) => {
    const locking = database.backend === 'postgres'
    if (locking) await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      return await applyPending(session, migrations)
    } finally {
      if (locking) await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
  })
}

async function applyPending(session: ScriptSession, migrations: Migration[]): Promise<MigrationResult> {
  await session.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now())`)
  const landed = await session.query<{ version: number; name: string; checksum: string }>(
    'select version, name, checksum from schema_migrations order by version',
  )
  const known = new Map(migrations.map((m) => [m.version, m]))
  for (const row of landed) {
    const mine = known.get(row.version)
    if (!mine) {
      throw new ContinuumError('SCHEMA_OUT_OF_DATE', `the database has migration ${row.version} (${row.name}) that this Continuum does not know; upgrade Continuum`, { version: row.version })
    }
    if (mine.checksum !== row.checksum) {
      throw new ContinuumError('MIGRATION_FAILED', `migration ${row.version} (${row.name}) was edited after it was applied; add a new migration instead`, { version: row.version })
    }
  }
  const done = new Set(landed.map((r) => r.version))
  const applied: MigrationResult['applied'] = []
  for (const m of migrations) {
    if (done.has(m.version)) continue
    try {
      await session.exec('begin')
      await session.exec(m.sql)
      await session.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [m.version, m.name, m.checksum])
      await session.exec('commit')
    } catch (cause) {
      await session.exec('rollback').catch(() => {})
      throw new ContinuumError('MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(cause as Error).message}`, { version: m.version }, { cause })
    }
    applied.push({ version: m.version, name: m.name })
  }
  return { applied, current: migrations.length }
}

/** The schema version the database is at, or 0 when it was never migrated. */
export async function schemaVersion(database: Database): Promise<number> {
  return database.withSession(async (session) => {
    const [exists] = await session.query<{ present: boolean }>("select to_regclass('schema_migrations') is not null as present")
    if (!exists?.present) return 0
    const [row] = await session.query<{ version: number | null }>('select max(version) as version from schema_migrations')
    return row?.version ?? 0
  })
}

/** Throws SCHEMA_OUT_OF_DATE unless the database is exactly at this code's schema version. */
export async function assertSchemaCurrent(database: Database): Promise<void> {
  const version = await schemaVersion(database)
  const expected = latestVersion()
  if (version !== expected) {
    throw new ContinuumError('SCHEMA_OUT_OF_DATE', `database schema is at version ${version}, this Continuum needs ${expected}; run \`continuum migrate\``, { version, expected })
  }
}
