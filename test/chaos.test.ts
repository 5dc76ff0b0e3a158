/**
 * Chaos, bounded (issue 16): authenticated reads and writes and an anonymous flood run against
 * a server while a workflow and a batch of transfers run in a worker process, one storage
 * endpoint hangs (its files are named pipes nobody writes: opening one blocks in the kernel, as
 * on a hung network mount), and the test SIGKILLs that worker and restarts its own PostgreSQL
 * cluster. No answer may be 5xx except 503 inside the outage window; every acknowledged write
 * is there afterwards, exactly once; every task runs exactly once; every healthy transfer
 * arrives once, verified, while the hung endpoint's fail as timeouts. Prints p50/p99 latency,
 * quiet and under chaos. `CHAOS_SCALE=N` multiplies the work: bench/chaos.ts runs it longer.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { connect, migrate, type Database } from '../src/db/index.js'
import { addRule, addScope, deterministicPath, registerReplicas } from '../src/data/index.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { digestOf } from '../src/transfers/index.js'
import { getWorkflow, putComputeSite, submitWorkflow } from '../src/workflows/index.js'
import { pgClusterSkipReason, startPgCluster, type PgCluster } from './support/pg-cluster.js'
import { startTestServer, type TestServer } from './support/server.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { printedLines, tempDir } from './support/workflows.js'

const scale = Math.max(1, Number(process.env.CHAOS_SCALE ?? 1))
const tasks = 30 * scale
const files = 20 * scale
const hungFiles = 4
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
  const storage: TempStorage = tempStorage()
  const pipes: string[] = []
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
    // A writer end for each pipe lets blocked opens return.
    for (const p of pipes) closeSync(openSync(p, 'r+'))
    storage.cleanup()
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
    command: [sh, -c, 'sleep 0.2; echo line-\${{ item }}']
`,
    })
    // Transfers: healthy files A → B, and files on a hung endpoint H → B.
    const a = await storage.add(ctx, { site: 'chaos-a' })
    const b = await storage.add(ctx, { site: 'chaos-b' })
    const h = await storage.add(ctx, { site: 'chaos-hung' })
    const scope = 'chaosdata'
    await addScope(ctx, { name: scope })
    const sent = new Map<string, Buffer>()
    for (let i = 0; i < files; i++) {
      const did = { scope, name: `good-${i}` }
      const data = randomData(20_000 + i)
      const file = path.join(storage.dirOf(a), deterministicPath(did))
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, data)
      await registerReplicas(ctx, {
        endpoint: a.name,
        replicas: [{ ...did, ...(await digestOf(bytesOf(data))) }],
      })
      sent.set(did.name, data)
    }
    for (let i = 0; i < hungFiles; i++) {
      const did = { scope, name: `hung-${i}` }
      const file = path.join(storage.dirOf(h), deterministicPath(did))
      mkdirSync(path.dirname(file), { recursive: true })
      assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo')
      pipes.push(file)
      await registerReplicas(ctx, {
        endpoint: h.name,
        replicas: [{ ...did, bytes: 10, adler32: '0a0b0c0d' }],
      })
    }
    for (const name of [
      ...sent.keys(),
      ...Array.from({ length: hungFiles }, (_, i) => `hung-${i}`),
    ]) {
      await addRule(ctx, { scope, name, copies: 1, expression: b.name })
    }
    const transfersDone = async () =>
      Number(
        (
          await database.db
            .selectFrom('transfer_requests')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('scope', '=', scope)
            .where('state', '=', 'done')
            .executeTakeFirst()
        )?.n ?? 0,
      )

    const startWorker = () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', workerScript, dbUrl, '1500', '2000'],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      )
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
    // A quiet while first: the same load without faults, for comparison (CHAOS_QUIET_MS).
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.CHAOS_QUIET_MS ?? 1000)))
    const chaosFrom = performance.now()

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
    let arrived = 0
    for (let i = 0; i < 1200 * scale; i++) {
      state = await getWorkflow(ctx, wf.id).then(
        (w) => w.state,
        () => '',
      )
      arrived = await transfersDone().catch(() => arrived)
      if ((state === 'succeeded' || state === 'failed') && arrived >= files) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    running = false
    await Promise.all(load)

    assert.equal(state, 'succeeded')
    const lines = printedLines(path.join(dir, 'runs'))
    assert.equal(lines.length, tasks, 'no task ran twice')
    assert.equal(new Set(lines).size, tasks, 'every task ran')

    // Every healthy file arrived once, with its bytes; the hung endpoint's failed as timeouts.
    assert.equal(arrived, files, 'every healthy transfer is done')
    const atB = await database.db
      .selectFrom('data_replicas')
      .select(['name', 'state'])
      .where('scope', '=', scope)
      .where('endpoint_id', '=', b.id)
      .execute()
    const available = atB.filter((r) => r.state === 'available').map((r) => r.name)
    assert.deepEqual(available.sort(), [...sent.keys()].sort(), 'one replica per healthy file')
    assert.equal(atB.length, files + hungFiles, 'one row per file, none twice')
    for (const [name, data] of sent) {
      const copy = readFileSync(path.join(storage.dirOf(b), deterministicPath({ scope, name })))
      assert.ok(copy.equals(data), `${name} arrived with its bytes`)
    }
    const hungAttempts = await database.db
      .selectFrom('transfer_attempts as t')
      .innerJoin('transfer_requests as r', 'r.id', 't.transfer_id')
      .select(['r.name', 't.failure_class', 't.outcome'])
      .where('r.scope', '=', scope)
      .where('r.name', 'like', 'hung-%')
      .execute()
    assert.ok(hungAttempts.length > 0, 'the hung endpoint’s transfers were attempted')
    for (const attempt of hungAttempts) {
      assert.notEqual(attempt.outcome, 'done', `${attempt.name} cannot have been copied`)
      assert.equal(attempt.failure_class, 'timeout', `${attempt.name} failed as a timeout`)
    }

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

    const latencies = (quiet: boolean) =>
      samples
        .filter((s) => s.kind !== 'anonymous' && s.at < chaosFrom === quiet)
        .map((s) => s.ms)
        .sort((x, y) => x - y)
    const pct = (ms: number[], p: number) =>
      ms[Math.min(ms.length - 1, Math.floor(ms.length * p))] ?? NaN
    const quiet = latencies(true)
    const chaos = latencies(false)
    const anonymous = samples.filter((s) => s.kind === 'anonymous')
    console.log(
      `chaos: ${samples.length} requests (${anonymous.length} anonymous: ${anonymous.filter((s) => s.status === 429).length} limited), ` +
        `authenticated p50/p99 quiet ${pct(quiet, 0.5).toFixed(1)}/${pct(quiet, 0.99).toFixed(1)} ms, ` +
        `under chaos ${pct(chaos, 0.5).toFixed(1)}/${pct(chaos, 0.99).toFixed(1)} ms ` +
        `(p99 ratio ${(pct(chaos, 0.99) / pct(quiet, 0.99)).toFixed(2)}), ${tasks} tasks, ${files} transfers + ${hungFiles} hung, ${acknowledged.length} writes kept`,
    )
  })
})
