/**
 * A real `continuum worker` process is killed (SIGKILL) in the middle of a copy; another worker
 * takes the transfer over when the lease runs out and finishes it once. PostgreSQL only: two
 * processes share the database. The source is a named pipe, so "mid-way" is deterministic: the
 * test feeds half the bytes, waits for them to reach the destination's side file, then kills.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import {
  addRule,
  addScope,
  deterministicPath,
  getRule,
  listReplicas,
  listTransfers,
  registerReplicas,
} from '../src/data/index.js'
import { openTestDatabase, testBackends, type TestDatabase } from '../src/db/testing.js'
import { ManualClock } from '../src/platform/index.js'
import { digestOf, TransferAgent } from '../src/transfers/index.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

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
      const ctx = { db: database.db, clock }
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

      const worker = spawn(
        process.execPath,
        [
          'bin/continuum.js',
          'worker',
          '--only',
          'transfers',
          '--db',
          database.url,
          '--log-level',
          'warn',
        ],
        { stdio: 'ignore' },
      )
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
  },
)
