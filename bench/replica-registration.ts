/**
 * Bulk replica registration of N replicas (default 1,000,000) through `registerReplicas` (10,000
 * per call, per-item results, files created as needed) versus a raw PostgreSQL COPY of the same
 * rows into the same tables (same indexes and foreign keys), each on a fresh database.
 * Target: ≥ 50 % of the COPY rate.
 *   CONTINUUM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/replica-registration.ts [N]
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { addEndpoint, addScope, deterministicPath, registerReplicas } from '../src/data/index.js'
import { openTestDatabase, testPostgresUrl } from '../src/db/testing.js'
import { systemActor, systemClock } from '../src/platform/index.js'

const total = Number(process.argv[2] ?? 1_000_000)
const batch = 10_000
const rows = Array.from({ length: total }, (_, i) => ({
  scope: 'bench',
  name: `file_${i}`,
  bytes: 1000 + i,
  adler32: randomBytes(4).toString('hex'),
}))

async function ours(): Promise<number> {
  const db = await openTestDatabase('postgres')
  try {
    const ctx = { db: db.db, clock: systemClock, actor: systemActor('bench') }
    await addScope(ctx, { name: 'bench' })
    const endpoint = await addEndpoint(ctx, { name: 'BENCH_DISK' })
    const t0 = performance.now()
    for (let i = 0; i < total; i += batch) {
      const result = await registerReplicas(ctx, {
        endpoint: endpoint.name,
        replicas: rows.slice(i, i + batch),
      })
      if (result.failed) throw new Error(`${result.failed} failed`)
    }
    return total / ((performance.now() - t0) / 1000)
  } finally {
    await db.close()
  }
}

async function copy(): Promise<number> {
  const db = await openTestDatabase('postgres')
  const dbName = (
    await db.db
      .selectNoFrom((eb) => eb.fn<string>('current_database').as('name'))
      .executeTakeFirstOrThrow()
  ).name
  const client = new pg.Client({
    connectionString: testPostgresUrl.replace(/\/[^/]*$/, `/${dbName}`),
  })
  await client.connect()
  try {
    const ctx = { db: db.db, clock: systemClock, actor: systemActor('bench') }
    await addScope(ctx, { name: 'bench' })
    const endpoint = await addEndpoint(ctx, { name: 'BENCH_DISK' })
    const now = new Date().toISOString()
    const t0 = performance.now()
    await client.query('begin')
    await pipeline(
      Readable.from(
        (function* () {
          for (const r of rows) {
            yield `${r.scope}\t${r.name}\tfile\t${r.bytes}\t${r.adler32}\t{}\troot\t${now}\t${now}\n`
          }
        })(),
      ),
      client.query(
        copyFrom(
          'copy data_dids (scope, name, type, bytes, adler32, meta, account, created_at, updated_at) from stdin',
        ),
      ),
    )
    await pipeline(
      Readable.from(
        (function* () {
          for (const r of rows) {
            yield `${r.scope}\t${r.name}\t${endpoint.id}\tavailable\t${r.bytes}\t${r.adler32}\t${deterministicPath(r)}\t${now}\t${now}\n`
          }
        })(),
      ),
      client.query(
        copyFrom(
          'copy data_replicas (scope, name, endpoint_id, state, bytes, adler32, path, created_at, updated_at) from stdin',
        ),
      ),
    )
    await client.query('commit')
    return total / ((performance.now() - t0) / 1000)
  } finally {
    await client.end()
    await db.close()
  }
}

const copyRate = await copy()
console.log(
  `raw COPY (files + replicas)       ${Math.round(copyRate).toLocaleString('en').padStart(10)} replicas/s`,
)
const ourRate = await ours()
console.log(
  `registerReplicas, 10k per call    ${Math.round(ourRate).toLocaleString('en').padStart(10)} replicas/s`,
)
console.log(
  `ratio: ${((ourRate / copyRate) * 100).toFixed(0)} % of COPY (target >= 50 %) for ${total.toLocaleString('en')} replicas`,
)
