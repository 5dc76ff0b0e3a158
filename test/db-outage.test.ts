/**
 * A database outage is weather (issue 16): the test's own PostgreSQL cluster is stopped and
 * started again in the middle of a workflow run by a separate worker process. Nothing crashes
 * (not the worker, not the server holding a checked-out connection), requests in the outage
 * answer 503 DATABASE_UNAVAILABLE with Retry-After, /readyz says why, decisions audited in the
 * outage are written once the database is back, and every task runs exactly once.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { connect, migrate, type Database } from '../src/db/index.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { getWorkflow, putComputeSite, submitWorkflow } from '../src/workflows/index.js'
import { pgClusterSkipReason, startPgCluster, type PgCluster } from './support/pg-cluster.js'
import { startTestServer, type TestServer } from './support/server.js'
import { printedLines, tempDir } from './support/workflows.js'

const tasks = 24
const workerScript = path.resolve('test/support/workflow-worker.ts')

describe('database outage [own postgres cluster]', { skip: pgClusterSkipReason() }, () => {
  let cluster: PgCluster
  let database: Database
  let server: TestServer
  let worker: ChildProcess | undefined
  let dbUrl = ''
  before(async () => {
    cluster = await startPgCluster()
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query('create database continuum')
    await admin.end()
    dbUrl = cluster.url.replace(/\/postgres$/, '/continuum')
    database = await connect(dbUrl, {
      maxConnections: 4,
      connectTimeoutMs: 2000,
    })
    await migrate(database)
    server = await startTestServer(database)
  })
  after(async () => {
    worker?.kill('SIGKILL')
    await server?.close()
    await database?.close()
    await cluster?.close()
  })

  it('survives a restart mid-workflow: 503 while away, every task exactly once, audit kept', async () => {
    const ctx = { db: database.db, clock: systemClock, actor: systemActor('test') }
    const dir = tempDir('continuum-outage-')
    await putComputeSite(ctx, {
      name: 'outage-site',
      executor: 'local',
      config: { root: path.join(dir, 'runs') },
      cores: 4,
      memoryPerCoreMb: 512,
    })
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: `name: outage
defaults: { site: outage-site, retries: 3, backoff: 1, resources: { memory: 64MB } }
tasks:
  - name: line
    scatter: { range: ${tasks} }
    command: [sh, -c, 'sleep 0.2; echo line-\${{ item }}']
`,
    })
    worker = spawn(process.execPath, ['--import', 'tsx', workerScript, dbUrl, '1500'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const workerExit = new Promise<number | null>((resolve) => worker?.once('exit', resolve))
    let workerExited = false
    void workerExit.then(() => (workerExited = true))

    // Mid-run: some tasks done, others not.
    for (let i = 0; i < 600; i++) {
      const w = await getWorkflow(ctx, wf.id)
      if ((w.counts.succeeded ?? 0) >= 3) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    // A connection checked out across the restart: its 'error' event once crashed the process.
    // The stop waits until the session has answered once: a query still in flight when the
    // cluster goes down fails (57P01), which is not what this step is about.
    let release: () => void = () => {}
    let checkedOut!: () => void
    const sessionReady = new Promise<void>((resolve) => (checkedOut = resolve))
    const held = database
      .withSession(async (session) => {
        await session.query('select 1')
        checkedOut()
        await new Promise<void>((resolve) => (release = resolve))
      })
      .catch(() => checkedOut())
    await sessionReady
    await cluster.stop()

    const read = await fetch(`${server.url}/workflows/${wf.id}`, {
      headers: {
        authorization: `Bearer ${await server.mintToken({ sub: 'test-admin', groups: ['/continuum/admins'] })}`,
      },
    })
    assert.equal(read.status, 503)
    assert.equal(
      ((await read.json()) as { error: { code: string } }).error.code,
      'DATABASE_UNAVAILABLE',
    )
    assert.ok(read.headers.get('retry-after'))
    const ready = await fetch(`${server.url}/readyz`)
    assert.equal(ready.status, 503)
    const readyBody = (await ready.json()) as {
      error: { code: string; details: { reason: string } }
    }
    assert.equal(readyBody.error.code, 'DATABASE_UNAVAILABLE')
    assert.ok(readyBody.error.details.reason.length > 0)
    // Anonymous requests in the outage: 401 at once, their audit rows held until the database is back.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/catalog/infrastructures/outage-marker`)
      assert.equal(res.status, 401)
    }
    await server.app.security.audit.flush()
    assert.equal(server.app.security.audit.heldCount, 5)
    release()
    await held

    await cluster.start()
    let state = ''
    for (let i = 0; i < 1200 && !['succeeded', 'failed', 'cancelled'].includes(state); i++) {
      state = await getWorkflow(ctx, wf.id).then(
        (w) => w.state,
        () => '',
      )
      if (!['succeeded', 'failed', 'cancelled'].includes(state)) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    assert.equal(state, 'succeeded')
    assert.equal(workerExited, false, 'the worker process survived the outage')
    const lines = printedLines(path.join(dir, 'runs'))
    assert.equal(lines.length, tasks, 'no task ran twice')
    assert.equal(new Set(lines).size, tasks, 'every task ran')
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200)

    await server.app.security.audit.flush()
    assert.equal(server.app.security.audit.heldCount, 0)
    const audit = await server.app.security.audit.list({ decision: 'unauthenticated', limit: 100 })
    const outage = audit.items.filter((e) => e.path === '/catalog/infrastructures/outage-marker')
    assert.equal(
      outage.reduce((n, e) => n + e.count, 0),
      5,
    )
  })
})
