/**
 * Reliability on PostgreSQL (several processes share the database): workers SIGKILLed at random
 * moments and the database path cut once; every task runs exactly once. The full version
 * (1,000 tasks, 20 kills) is `node --import tsx bench/workflow-kill.ts`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, testBackends, type TestDatabase } from '../src/db/testing.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { runKillTest } from './support/reliability.js'

const postgres = (await testBackends()).find((b) => b.name === 'postgres')

describe(
  'workflow reliability [postgres]',
  { skip: postgres ? postgres.skip : 'DB_BACKEND excludes postgres' },
  () => {
    let database: TestDatabase
    before(async () => {
      database = await openTestDatabase('postgres')
    })
    after(() => database.close())

    it('finishes with every line exactly once while workers are killed and the database path is cut', async () => {
      const result = await runKillTest({
        ctx: { db: database.db, clock: systemClock, actor: systemActor('test') },
        databaseUrl: database.url,
        tasks: 150,
        kills: 5,
        leaseMs: 1500,
        restartDatabase: true,
      })
      assert.equal(result.state, 'succeeded')
      assert.deepEqual(result.duplicates, [])
      assert.equal(result.missing, 0)
      assert.equal(result.lines.length, 150)
    })
  },
)
