/**
 * Test databases: every test file gets a fresh, isolated, migrated database on each backend.
 *   pglite    restored from a migrated dump cached on disk (skips initdb and migrations)
 *   postgres  CREATE DATABASE … TEMPLATE a migrated template built once per schema version
 * PostgreSQL is found at $CONTINUUM_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 * When it is absent, PostgreSQL tests skip locally and fail under CI=true.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { connect, dumpEmbedded, type Backend, type Database } from './connect.js'
import { loadMigrations, migrate } from './migrator.js'

export const testPostgresUrl =
  process.env.CONTINUUM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestBackend {
  name: Backend
  /** Why this backend's tests are skipped here, or false to run them. */
  skip: string | false
}

let backendsPromise: Promise<TestBackend[]> | undefined

/** The backends to run integration tests on: both, unless DB_BACKEND picks one. */
export function testBackends(): Promise<TestBackend[]> {
  backendsPromise ??= (async () => {
    const only = process.env.DB_BACKEND
    const wanted: Backend[] =
      only === 'pglite' || only === 'postgres' ? [only] : ['pglite', 'postgres']
    const out: TestBackend[] = []
    for (const name of wanted) {
      out.push({ name, skip: name === 'postgres' ? await postgresSkipReason() : false })
    }
    return out
  })()
  return backendsPromise
}

async function postgresSkipReason(): Promise<string | false> {
  // Generous: on a loaded two-core machine a first connection can take seconds, and a test
  // file that wrongly decides PostgreSQL is absent skips (or, under CI, fails) as a whole.
  const client = new pg.Client({
    connectionString: testPostgresUrl,
    connectionTimeoutMillis: 15_000,
  })
  try {
    await client.connect()
    return false
  } catch (err) {
    const reason = `PostgreSQL not reachable at ${testPostgresUrl}: ${(err as Error).message}`
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: PostgreSQL tests must run)`)
    return reason
  } finally {
    await client.end().catch(() => {})
  }
}

export interface TestDatabase extends Database {
  /** Deletes the database (PostgreSQL) and closes it. */
  close(): Promise<void>
}

export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  return backend === 'pglite' ? openPGlite() : openPostgres()
}

/** A database with nothing in it, not even migrations; for tests of the migrator itself. */
export async function openEmptyDatabase(
  backend: Backend,
): Promise<TestDatabase & { connectAgain(): Promise<Database> }> {
  if (backend === 'pglite') {
    const database = await connect('memory:')
    return {
      ...database,
      connectAgain: () => Promise.reject(new Error('an in-memory PGlite has one session')),
    }
  }
  const name = `continuum_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: testPostgresUrl })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = withDatabase(testPostgresUrl, name)
  const database = await connect(url, { maxConnections: 3 })
  return {
    ...database,
    connectAgain: () => connect(url, { maxConnections: 3 }),
    close: async () => {
      await database.close()
      await dropDatabase(name)
    },
  }
}

async function dropDatabase(name: string): Promise<void> {
  const dropper = new pg.Client({ connectionString: testPostgresUrl })
  await dropper.connect()
  try {
    await dropper.query(`drop database if exists ${name} with (force)`)
  } finally {
    await dropper.end()
  }
}

function schemaHash(): string {
  const h = createHash('sha256')
  for (const m of loadMigrations()) h.update(`${m.version}:${m.checksum}\n`)
  return h.digest('hex').slice(0, 12)
}

async function openPGlite(): Promise<TestDatabase> {
  const dumpFile = path.join(os.tmpdir(), `continuum-test-pglite-${schemaHash()}.tar`)
  if (existsSync(dumpFile)) {
    return connect('memory:', { loadDataDir: new Blob([readFileSync(dumpFile)]) })
  }
  const database = await connect('memory:')
  await migrate(database)
  const dump = await dumpEmbedded(database)
  const tmp = `${dumpFile}.${process.pid}.tmp`
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
  renameSync(tmp, dumpFile)
  return database
}

const TEMPLATE_LOCK_KEY = 7_220_451_114

async function openPostgres(): Promise<TestDatabase> {
  const template = `continuum_tpl_${schemaHash()}`
  const admin = new pg.Client({ connectionString: testPostgresUrl })
  await admin.connect()
  const name = `continuum_t_${randomBytes(6).toString('hex')}`
  try {
    await ensureTemplate(admin, template)
    await createFromTemplate(admin, name, template)
  } finally {
    await admin.end()
  }
  const url = withDatabase(testPostgresUrl, name)
  const database = await connect(url, { maxConnections: 5 })
  return {
    ...database,
    async close() {
      await database.close()
      await dropDatabase(name)
    },
  }
}

async function ensureTemplate(admin: pg.Client, template: string): Promise<void> {
  await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY])
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [template])
    if (found.rowCount) return
    // Build under another name and rename when complete, so a killed run leaves no half template.
    const building = `${template}_building`
    await admin.query(`drop database if exists ${building} with (force)`)
    await admin.query(`create database ${building}`)
    const database = await connect(withDatabase(testPostgresUrl, building), { maxConnections: 1 })
    try {
      await migrate(database)
    } finally {
      await database.close()
    }
    // The migrating session may linger for a moment after it closed.
    await retryWhileInUse(() => admin.query(`alter database ${building} rename to ${template}`))
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY])
  }
}

async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  // The template may be being copied by another test file at this instant.
  await retryWhileInUse(() => admin.query(`create database ${name} template ${template}`))
}

/** Retries an operation that fails with 55006 (object in use), with jittered backoff. */
async function retryWhileInUse(operation: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await operation()
      return
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 100) throw err
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80))
    }
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
