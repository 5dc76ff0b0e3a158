/**
 * One database layer over two backends: PostgreSQL (production, several processes) and PGlite
 * (embedded, one process). `connect(url)` picks the backend from the URL:
 *   postgres://…   a pg pool          pglite:<dir>   persistent embedded          memory:   embedded, in memory
 * Both return the same Kysely<DB>; int8 comes back as a JS number on both.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import type pg from 'pg'
import { ContinuumError, redactUrl, type Logger } from '../platform/index.js'
import { listenForChanges, localChangeFeed, type ChangeFeed } from './change-feed.js'
import { PGliteDialect } from './pglite-dialect.js'
import type { DB } from './schema.js'
import { mapDatabaseError } from './sql-errors.js'

export type Backend = 'postgres' | 'pglite'

/** A session that can run multi-statement scripts and hold session-level locks (migrations). */
export interface ScriptSession {
  exec(script: string): Promise<void>
  query<R>(text: string, params?: unknown[]): Promise<R[]>
}

export interface Database {
  readonly db: Kysely<DB>
  readonly backend: Backend
  /** The URL with any password hidden. */
  readonly url: string
  /** Runs `fn` on one dedicated session of the database. */
  withSession<T>(fn: (session: ScriptSession) => Promise<T>): Promise<T>
  /** Starts following committed changes (for read caches); see change-feed.ts. */
  openChangeFeed(logger: Logger): Promise<ChangeFeed>
  close(): Promise<void>
}

export interface ConnectOptions {
  /** Pool size for PostgreSQL. */
  maxConnections?: number
  /** Where lost connections are reported (PostgreSQL); default: nowhere. */
  logger?: Logger
  /** Milliseconds to wait for a new PostgreSQL connection before failing (default 10 s). */
  connectTimeoutMs?: number
  /** Start an embedded database from a dump made with `dumpEmbedded` (tests use this). */
  loadDataDir?: Blob
}

const INT8 = 20

export async function connect(url: string, options: ConnectOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) return connectPostgres(url, options)
  if (url === 'memory:') return connectPGlite(undefined, url, options)
  if (url.startsWith('pglite:') && url.length > 'pglite:'.length) {
    return connectPGlite(path.resolve(url.slice('pglite:'.length)), url, options)
  }
  throw new ContinuumError(
    'CONFIG_INVALID',
    `unsupported database URL '${redactUrl(url)}': expected postgres://…, pglite:<dir> or memory:`,
    { url: redactUrl(url) },
  )
}

async function connectPostgres(url: string, options: ConnectOptions): Promise<Database> {
  // Loaded here, not at the top: an embedded database never needs the PostgreSQL driver.
  const { default: pg } = await import('pg')
  const types = {
    getTypeParser: ((oid: number, format?: string): unknown =>
      oid === INT8
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types,
    // A black-holed server must not hold requests forever: they fail as DATABASE_UNAVAILABLE.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  })
  watchConnections(pool, options.logger)
  try {
    await pool.query('select 1')
  } catch (err) {
    await pool.end().catch(() => {})
    const mapped = mapDatabaseError(err)
    if (mapped instanceof ContinuumError) throw mapped
    throw new ContinuumError(
      'DATABASE_UNAVAILABLE',
      `cannot connect to ${redactUrl(url)}: ${(err as Error).message}`,
      { url: redactUrl(url) },
      { cause: err },
    )
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    backend: 'postgres',
    url: redactUrl(url),
    async withSession(fn) {
      const client = await pool.connect()
      try {
        return await fn({
          exec: async (script) => {
            await client.query(script)
          },
          query: async <R>(text: string, params: unknown[] = []) =>
            (await client.query(text, params)).rows as R[],
        })
      } finally {
        client.release()
      }
    },
    openChangeFeed: (logger) => listenForChanges(url, logger),
    close: () => db.destroy(),
  }
}

/**
 * A client losing its server (restart, failover, network) emits 'error'. The pool listens only
 * while a client is idle; a client checked out between two statements of a transaction had no
 * listener, and the event crashed the process. Every client gets a listener of its own for its
 * whole life; the statement in flight fails with a connection error (503, retryable) and the
 * pool discards the broken client when it is released.
 */
function watchConnections(pool: pg.Pool, logger: Logger | undefined): void {
  const report = (err: Error) =>
    logger?.warn(
      { err: { message: err.message, code: (err as { code?: unknown }).code } },
      'database connection lost',
    )
  pool.on('error', report)
  pool.on('connect', (client) => client.on('error', report))
}

async function connectPGlite(
  dir: string | undefined,
  url: string,
  options: ConnectOptions,
): Promise<Database> {
  const lock = dir === undefined ? undefined : lockDataDir(dir)
  let pglite: PGlite
  try {
    pglite = await PGlite.create({
      ...(dir === undefined ? {} : { dataDir: dir }),
      // PostgreSQL's 128 MB default buffer pool is set up (and zeroed) at every open: a third of
      // the open's time. 32 MB holds the demo's and the tests' working sets; pages beyond it are
      // read back from the data directory. On the command line, so the data directory's
      // postgresql.conf is left as initdb wrote it.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: { [INT8]: (v: string) => Number(v) },
    })
  } catch (cause) {
    lock?.release()
    throw new ContinuumError(
      'DATABASE_UNAVAILABLE',
      `cannot open embedded database ${url}: ${(cause as Error).message}`,
      { url },
      { cause },
    )
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  const database: Database = {
    db,
    backend: 'pglite',
    url,
    // Holding a Kysely connection holds PGlite's single-session mutex.
    withSession: (fn) =>
      db.connection().execute(() =>
        fn({
          exec: async (script) => {
            await pglite.exec(script)
          },
          query: async <R>(text: string, params: unknown[] = []) =>
            (await pglite.query<R>(text, params)).rows,
        }),
      ),
    // Only this process can open the data directory, so its own announcements are complete.
    openChangeFeed: async () => localChangeFeed(),
    async close() {
      await db.destroy()
      await pglite.close()
      lock?.release()
    },
  }
  pgliteInstances.set(database, pglite)
  return database
}

/** Dumps an embedded database to a tarball blob that `connect(…, { loadDataDir })` restores. */
export async function dumpEmbedded(database: Database): Promise<Blob> {
  if (database.backend !== 'pglite') {
    throw new Error('dumpEmbedded works on embedded databases only')
  }
  return database.withSession(async () => await pgliteOf(database).dumpDataDir('none'))
}

const pgliteInstances = new WeakMap<Database, PGlite>()
function pgliteOf(database: Database): PGlite {
  const instance = pgliteInstances.get(database)
  if (!instance) throw new Error('not an embedded database')
  return instance
}

/**
 * PGlite cannot share a data directory between processes; a second process would corrupt it.
 * A lock file holding the owner's pid turns that into a clear error.
 */
function lockDataDir(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true })
  const file = path.join(path.dirname(dir), `.${path.basename(dir)}.lock`)
  try {
    const owner = Number(readFileSync(file, 'utf8'))
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new ContinuumError(
        'DATABASE_UNAVAILABLE',
        `embedded database ${dir} is in use by process ${owner}; stop it or use PostgreSQL for several processes`,
        { dir, pid: owner },
      )
    }
  } catch (err) {
    if (err instanceof ContinuumError) throw err
  }
  writeFileSync(file, String(process.pid))
  return { release: () => rmSync(file, { force: true }) }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
