/** Graceful shutdown: requests in flight finish; new connections are refused once closing. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openTestDatabase } from '../src/db/testing.js'
import { makeInfrastructure } from './support/factories.js'
import { startTestServer } from './support/server.js'

describe('API shutdown', () => {
  it('lets a request in flight complete while closing, then refuses new ones', async () => {
    const database = await openTestDatabase('pglite')
    const server = await startTestServer(database)
    try {
      const infra = await server.client.catalog.addInfrastructure(makeInfrastructure())
      // Hold PGlite's only session so the next request waits inside its handler.
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let holding!: () => void
      const isHolding = new Promise<void>((resolve) => (holding = resolve))
      const holder = database.db.connection().execute(async () => {
        holding()
        await held
      })
      await isHolding
      const received = new Promise<void>((resolve) =>
        server.app.server.once('request', () => resolve()),
      )
      const token = await server.mintToken({ sub: 'shutdown-test', groups: ['/continuum/admins'] })
      const inFlight = fetch(`${server.url}/catalog/infrastructures/${infra.name}`, {
        headers: { authorization: `Bearer ${token}` },
      })
      // Once the server has parsed the request, start closing.
      await received
      const closing = server.app.close()
      release()
      await holder
      const response = await inFlight
      assert.equal(response.status, 200)
      assert.equal(((await response.json()) as { name: string }).name, infra.name)
      await closing
      await assert.rejects(fetch(`${server.url}/healthz`), 'no new connections after close')
    } finally {
      await database.close()
    }
  })
})
