/**
 * Chaos, bounded (issue 16): authenticated reads and writes and an anonymous flood run against
 * a server while a workflow runs in a worker process, and the test SIGKILLs that worker and
 * restarts its own PostgreSQL cluster. No answer may be 5xx except 503 inside the outage
 * window; every acknowledged write is there afterwards, exactly once; every task runs exactly
 * once. Prints p50/p99 latency. The longer version is bench/chaos.ts.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { connect, migrate, type Database } from '../src/db/index.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { getWorkflow, putComputeSite, submitWorkflow } from '../src/workflows/index.js'
import { pgClusterSkipReason, startPgCluster, type PgCluster } from './support/pg-cluster.js'
import { startTestServer, type TestServer } from './support/server.js'
import { tempDir } from './support/workflows.js'

const tasks = 30
const workerScript = path.resolve('test/support/workflow-worker.ts')

interface Sample {
  at: number
  ms: number
  status: number
  kind: string
}

describe('chaos [own postgres cluster]', { skip: pgClusterSkipReason() }, () => {
  let cluster: PgCluster
  let database: Database
  let server: TestServer
  let dbUrl = ''
  const workers: ChildProcess[] = []
  before(async () => {
    cluster = await startPgCluster()
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query('create database continuum')
    await admin.end()
    dbUrl = cluster.url.replace(/\/postgres$/, '/continuum')
    database = await connect(dbUrl, { maxConnections: 6, connectTimeoutMs: 2000 })
    await migrate(database)
    server = await startTestServer(database, {
      // Production settings for the flood: counted per window and limited per address.
      security: {
        auditAnonymousWindowMs: 10_000,
        rateLimits: { unauthenticated: { perMinute: 300, burst: 60 } },
      },
    })
  })
  after(async () => {
    for (const w of workers) w.kill('SIGKILL')
    await server?.close()
    await database?.close()
    await cluster?.close()
  })

  it('keeps its promises through a worker kill, a database restart and a flood', async () => {
    const ctx = { db: database.db, clock: systemClock, actor: systemActor('test') }
    const dir = tempDir('continuum-chaos-')
    await putComputeSite(ctx, {
      name: 'chaos-site',
      executor: 'local',
      config: { root: path.join(dir, 'runs') },
      cores: 4,
      memoryPerCoreMb: 512,
    })
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: `name: chaos
defaults: { site: chaos-site, retries: 3, backoff: 1, resources: { memory: 64MB } }
tasks:
  - name: line
    scatter: { range: ${tasks} }
    command: [sh, -c, 'sleep 0.2; echo line-\${{ item }} >> lines.txt']
`,
    })
    const startWorker = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', workerScript, dbUrl, '1500'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      workers.push(child)
      return child
    }
    const token = await server.mintToken({ sub: 'chaos-admin', groups: ['/continuum/admins'] })
    const auth = { authorization: `Bearer ${token}` }
    const samples: Sample[] = []
    const acknowledged: string[] = []
    let running = true
    const timed = async (kind: string, fn: () => Promise<Response>) => {
      const at = performance.now()
      const res = await fn().catch(() => undefined)
      samples.push({ at, ms: performance.now() - at, status: res?.status ?? 0, kind })
      await res?.arrayBuffer().catch(() => undefined)
      return res
    }
    const reader = async () => {
      while (running) {
        await timed('read', () => fetch(`${server.url}/workflows/${wf.id}`, { headers: auth }))
      }
    }
    const writer = async () => {
      for (let i = 0; running; i++) {
        const name = `chaos${i}`
        const res = await timed('write', () =>
          fetch(`${server.url}/data/scopes`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
          }),
        )
        if (res?.status === 201) acknowledged.push(name)
      }
    }
    const flood = async () => {
      while (running) await timed('anonymous', () => fetch(`${server.url}/workflows`))
    }
    const load = [reader(), writer(), flood()]

    let worker = startWorker()
    const progress = async (n: number) => {
      for (let i = 0; i < 600; i++) {
        const w = await getWorkflow(ctx, wf.id).catch(() => undefined)
        if ((w?.counts.succeeded ?? 0) >= n || w?.state === 'succeeded') return
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    await progress(3)
    worker.kill('SIGKILL')
    worker = startWorker()
    await progress(8)
    const outageFrom = performance.now()
    await cluster.stop()
    await new Promise((resolve) => setTimeout(resolve, 500))
    await cluster.start()
    let outageTo = performance.now()
    for (let i = 0; i < 200; i++) {
      if ((await fetch(`${server.url}/readyz`)).status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    outageTo = performance.now() + 2000 // pools notice broken connections on next use
    let state = ''
    for (let i = 0; i < 1200 && state !== 'succeeded' && state !== 'failed'; i++) {
      state = await getWorkflow(ctx, wf.id).then(
        (w) => w.state,
        () => '',
      )
      if (state !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100))
    }
    running = false
    await Promise.all(load)

    assert.equal(state, 'succeeded')
    const lines = readFileSync(path.join(dir, 'lines.txt'), 'utf8').trim().split('\n')
    assert.equal(lines.length, tasks, 'no task ran twice')
    assert.equal(new Set(lines).size, tasks, 'every task ran')

    const bad = samples.filter(
      (s) =>
        (s.status >= 500 || s.status === 0) &&
        // A request overlapping the outage may meet it.
        !(s.status === 503 && s.at + s.ms >= outageFrom && s.at <= outageTo),
    )
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} answers outside the rules`)
    const scopes = await database.db
      .selectFrom('data_scopes')
      .select('name')
      .where('name', 'like', 'chaos%')
      .execute()
    const stored = new Set(scopes.map((s) => s.name))
    for (const name of acknowledged) assert.ok(stored.has(name), `acknowledged write ${name} kept`)
    assert.equal(scopes.length, stored.size)

    // Every anonymous request is counted in the audit log, none lost across the restart.
    await server.app.security.audit.flush()
    const counted = await database.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.sum<number>('count').as('n'))
      .where('decision', '=', 'unauthenticated')
      .where('path', '=', '/workflows')
      .executeTakeFirst()
    const anonymousAnswered = samples.filter(
      (s) => s.kind === 'anonymous' && (s.status === 401 || s.status === 429),
    ).length
    assert.equal(Number(counted?.n ?? 0), anonymousAnswered)

    const ms = samples
      .filter((s) => s.kind !== 'anonymous')
      .map((s) => s.ms)
      .sort((a, b) => a - b)
    const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]?.toFixed(1)
    const anonymous = samples.filter((s) => s.kind === 'anonymous')
    console.log(
      `chaos: ${samples.length} requests (${anonymous.length} anonymous: ${anonymous.filter((s) => s.status === 429).length} limited), authenticated p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms, ${acknowledged.length} writes kept`,
    )
  })
})
