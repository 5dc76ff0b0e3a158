/**
 * The catalogue's read cache stays coherent: in one process after every write, and across
 * server processes on PostgreSQL through LISTEN/NOTIFY.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { getInfrastructure, updateInfrastructure } from '../src/catalog/index.js'
import { connect, type ChangeFeed, type Database } from '../src/db/index.js'
import { testPostgresUrl } from '../src/db/testing.js'
import { systemActor, ContinuumError, silentLogger, systemClock } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { makeInfrastructure } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('catalogue read cache', (fixture) => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(fixture().database)
  })
  after(() => server.close())

  it('serves every read after a write with the written value', async () => {
    const { client } = server
    const infra = await client.catalog.addInfrastructure(makeInfrastructure({ title: 'Before' }))
    assert.equal((await client.catalog.getInfrastructure(infra.name)).title, 'Before')
    assert.equal((await client.catalog.getInfrastructure(infra.id)).title, 'Before')
    await client.catalog.updateInfrastructure(infra.name, { title: 'After' })
    assert.equal((await client.catalog.getInfrastructure(infra.name)).title, 'After')
    assert.equal((await client.catalog.getInfrastructure(infra.id)).title, 'After')
    await client.catalog.deleteInfrastructure(infra.id)
    await assert.rejects(
      client.catalog.getInfrastructure(infra.name),
      (e: unknown) => e instanceof ContinuumError && e.code === 'INFRASTRUCTURE_NOT_FOUND',
    )
  })

  it('sees writes made by another process (PostgreSQL: LISTEN/NOTIFY)', async (t) => {
    const { database } = fixture()
    if (database.backend !== 'postgres') {
      t.skip('an embedded database has one process')
      return
    }
    // A second "process": its own pool and its own change feed on the same database.
    const other: Database = await connect(await urlOf(database))
    const otherFeed: ChangeFeed = await other.openChangeFeed(silentLogger)
    const mine = await database.openChangeFeed(silentLogger)
    try {
      const ctxMine = {
        db: database.db,
        clock: systemClock,
        changes: mine,
        actor: systemActor('test'),
      }
      const ctxOther = {
        db: other.db,
        clock: systemClock,
        changes: otherFeed,
        actor: systemActor('test'),
      }
      const infra = await server.client.catalog.addInfrastructure(
        makeInfrastructure({ title: 'Cached' }),
      )
      assert.equal((await getInfrastructure(ctxMine, infra.name)).title, 'Cached')
      const seen = mine.generation('infrastructures')
      await updateInfrastructure(ctxOther, infra.name, { title: 'Changed elsewhere' })
      await waitFor(() => mine.generation('infrastructures') !== seen)
      assert.equal((await getInfrastructure(ctxMine, infra.name)).title, 'Changed elsewhere')
    } finally {
      await mine.close()
      await otherFeed.close()
      await other.close()
    }
  })
})

/** Waits for a condition driven by I/O (a notification), with a deadline instead of a sleep. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function urlOf(database: Database): Promise<string> {
  const { rows } = await (
    await import('kysely')
  ).sql<{ db: string }>`select current_database() as db`.execute(database.db)
  const url = new URL(testPostgresUrl)
  url.pathname = `/${rows[0]!.db}`
  return url.toString()
}
