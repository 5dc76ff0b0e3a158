/**
 * A real `continuum worker` process is killed (SIGKILL) in the middle of a copy; another worker
 * takes the transfer over when the lease runs out and finishes it once. PostgreSQL only: two
 * processes share the database. The source is a named pipe, so "mid-way" is deterministic: the
 * test feeds half the bytes, waits for them to reach the destination's side file, then kills.
 * The second test kills a worker in the middle of 1,000 small transfers.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { sql } from 'kysely'
import {
  addDid,
  addRule,
  addScope,
  attachDids,
  deterministicPath,
  getRule,
  listReplicas,
  registerReplicas,
} from '../src/data/index.js'
import { openTestDatabase, testBackends, type TestDatabase } from '../src/db/testing.js'
import { ManualClock, systemActor } from '../src/platform/index.js'
import { digestOf, TransferAgent, listTransfers, setTransferLink } from '../src/transfers/index.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

/** A real `continuum worker` running only the transfer agents, as operators run it. */
function spawnTransferWorker(url: string): ChildProcess {
  return spawn(
    process.execPath,
    ['bin/continuum.js', 'worker', '--only', 'transfers', '--db', url, '--log-level', 'warn'],
    { stdio: 'ignore' },
  )
}

const postgres = (await testBackends()).find((b) => b.name === 'postgres')

describe(
  'a worker killed mid-transfer [postgres]',
  { skip: postgres?.skip ?? 'DB_BACKEND selects another backend' },
  () => {
    let database: TestDatabase
    let storage: TempStorage
    before(async () => {
      database = await openTestDatabase('postgres')
      storage = tempStorage()
    })
    after(async () => {
      await database.close()
      storage.cleanup()
    })

    it('is taken over after its lease and the file arrives once, verified', async () => {
      const clock = new ManualClock(new Date())
      const ctx = { db: database.db, clock, actor: systemActor('test') }
      const src = await storage.add(ctx, { country: 'IT' })
      const dst = await storage.add(ctx, { country: 'DE' })
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      const data = randomData(4 * 1024 * 1024)
      const digest = await digestOf(bytesOf(data))
      await registerReplicas(ctx, {
        endpoint: src.name,
        replicas: [{ scope, name: 'big.raw', ...digest }],
      })
      const srcPath = path.join(storage.dirOf(src), deterministicPath({ scope, name: 'big.raw' }))
      mkdirSync(path.dirname(srcPath), { recursive: true })
      execFileSync('mkfifo', [srcPath])
      const rule = await addRule(ctx, { scope, name: 'big.raw', copies: 1, expression: dst.name })

      const worker = spawnTransferWorker(database.url)
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      const part = `${path.join(storage.dirOf(dst), deterministicPath({ scope, name: 'big.raw' }))}.part`
      try {
        // Opening the pipe for writing waits for the worker to open it for reading.
        const feeder = createWriteStream(srcPath)
        feeder.on('error', () => undefined)
        feeder.write(data.subarray(0, data.length / 2))
        for (let i = 0; i < 600 && !(existsSync(part) && statSync(part).size > 0); i++) {
          await delay(50)
        }
        assert.ok(existsSync(part) && statSync(part).size > 0, 'the worker started writing')
        worker.kill('SIGKILL')
        await exited
        feeder.destroy()
      } finally {
        if (worker.exitCode === null) worker.kill('SIGKILL')
      }
      const [inFlight] = await listTransfers(ctx, { scope })
      assert.equal(inFlight?.state, 'submitted', 'the dead worker still holds its claim')
      assert.equal(statSync(part).size < data.length, true, 'only part of the file was written')

      // The source is readable again; a second worker waits for the lease (5 minutes) to end.
      rmSync(srcPath)
      writeFileSync(srcPath, data)
      const agent = new TransferAgent(ctx, { workerId: 'second' })
      assert.equal(await agent.runOnce(), 0, 'the lease still holds')
      clock.advance(10 * 60_000)
      assert.equal(await agent.runOnce(), 1)

      assert.equal((await getRule(ctx, rule.id)).state, 'ok')
      const [done] = await listTransfers(ctx, { scope })
      assert.deepEqual([done?.state, done?.attempts], ['done', 2])
      const copy = (await listReplicas(ctx, { scope, name: 'big.raw' })).find(
        (r) => r.endpoint === dst.name,
      )!
      assert.deepEqual(readFileSync(new URL(copy.urls[0]!)), data)
      assert.ok(!existsSync(part), 'the side file became the replica')
    })

    it('completes 1,000 transfers after a SIGKILL: each registered once, no orphan files', async () => {
      const clock = new ManualClock(new Date())
      const ctx = { db: database.db, clock, actor: systemActor('test') }
      const src = await storage.add(ctx, { site: 'kill-src' })
      const dst = await storage.add(ctx, { site: 'kill-dst' })
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      await addDid(ctx, { scope, name: 'ds', type: 'dataset' })
      const n = 1000
      const files = Array.from({ length: n }, (_, i) => ({
        name: `f${String(i).padStart(4, '0')}`,
        data: randomData(2000 + (i % 97)),
      }))
      const replicas = []
      for (const f of files) {
        const file = path.join(storage.dirOf(src), deterministicPath({ scope, name: f.name }))
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, f.data)
        replicas.push({ scope, name: f.name, ...(await digestOf(bytesOf(f.data))) })
      }
      await registerReplicas(ctx, { endpoint: src.name, replicas })
      for (let i = 0; i < n; i += 1000) {
        await attachDids(
          ctx,
          { scope, name: 'ds' },
          { children: files.slice(i, i + 1000).map((f) => ({ scope, name: f.name })) },
        )
      }
      await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 16 })
      const rule = await addRule(ctx, { scope, name: 'ds', copies: 1, expression: dst.name })
      const worker = spawnTransferWorker(database.url)
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      try {
        // Kill it once a good part is done, while it holds claims.
        for (let i = 0; i < 1200; i++) {
          if (
            (await listTransfers(ctx, { rule: rule.id, state: 'done', limit: 10000 })).length >= 150
          ) {
            break
          }
          await delay(50)
        }
        worker.kill('SIGKILL')
        await exited
      } finally {
        if (worker.exitCode === null) worker.kill('SIGKILL')
      }
      const before = await listTransfers(ctx, { rule: rule.id, limit: 10000 })
      const doneBefore = before.filter((t) => t.state === 'done').length
      assert.ok(doneBefore >= 150 && doneBefore < n, `${doneBefore} done when killed`)

      // Another worker takes over once the dead one's leases run out, and finishes.
      clock.advance(10 * 60_000)
      const agent = new TransferAgent(ctx, { workerId: 'second', batch: 64 })
      await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 64 })
      await agent.optimise()
      for (let round = 0; round < 100 && (await agent.runOnce()) > 0; round++);
      assert.equal((await getRule(ctx, rule.id)).state, 'ok')
      const after = await listTransfers(ctx, { rule: rule.id, limit: 10000 })
      assert.equal(after.length, n, 'one request per file')
      assert.ok(after.every((t) => t.state === 'done'))
      const { rows } = await sql<{ replicas: number; done: number }>`
        select
          (select count(*)::int from data_replicas where scope = ${scope} and endpoint_id = ${dst.id} and state = 'available') as replicas,
          (select count(*)::int from transfer_attempts a join transfer_requests t on t.id = a.transfer_id
            where t.scope = ${scope} and a.outcome = 'done') as done`.execute(database.db)
      assert.deepEqual(
        rows[0],
        { replicas: n, done: n },
        'each file registered once, one successful attempt each',
      )
      // No orphans: the destination holds exactly the n files, verified, and no side files.
      const onDisk = readdirSync(storage.dirOf(dst), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
      assert.equal(onDisk.filter((f) => f.endsWith('.part')).length, 0)
      assert.equal(onDisk.length, n)
      for (const f of files) {
        const file = path.join(storage.dirOf(dst), deterministicPath({ scope, name: f.name }))
        assert.deepEqual(readFileSync(file), f.data, f.name)
      }
    })
  },
)
