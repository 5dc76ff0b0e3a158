/** Every route must be documented and declare its policy action; the server refuses any that does not. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, type TestDatabase } from '../src/db/testing.js'

describe('route declarations', () => {
  let database: TestDatabase
  before(async () => {
    database = await openTestDatabase('pglite')
  })
  after(async () => {
    await database.close()
  })

  it('refuses a route without a response schema or without a policy action', async () => {
    const { buildServer } = await import('../src/api/index.js')
    const { silentLogger, systemClock, version } = await import('../src/platform/index.js')
    const app = await buildServer({
      ctx: { db: database.db, clock: systemClock },
      database,
      logger: silentLogger,
      version,
    })
    assert.throws(
      () => app.get('/undocumented', { config: { action: 'x.y.read' } }, async () => ({})),
      /no response schema/,
    )
    assert.throws(
      () =>
        app.get(
          '/ungated',
          { schema: { response: { 200: { type: 'object' } } } },
          async () => ({}),
        ),
      /declares no policy action/,
    )
    await app.close()
  })

  it('builds every response serialiser of every route (production builds each on first use)', async () => {
    const { buildServer } = await import('../src/api/index.js')
    const { silentLogger, systemClock, version } = await import('../src/platform/index.js')
    const options = {
      ctx: { db: database.db, clock: systemClock },
      database,
      logger: silentLogger,
      version,
      eagerSerializers: true,
    }
    const app = await buildServer(options)
    await app.ready()
    await app.close()
    // The same check catches a response schema fast-json-stringify cannot build.
    const broken = await buildServer(options)
    broken.get(
      '/broken',
      {
        config: { action: 'x.y.read' },
        schema: { response: { 200: { type: 'object', properties: { a: { $ref: '#/nope' } } } } },
      },
      async () => ({}),
    )
    await assert.rejects(async () => {
      await broken.ready()
    }, /nope/)
    await broken.close().catch(() => undefined)
  })
})
