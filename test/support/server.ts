/** A real API server on a random loopback port over a test database, and a client for it. */
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/api/index.js'
import { ContinuumClient } from '../../src/client/index.js'
import type { TestDatabase } from '../../src/db/testing.js'
import { silentLogger, systemClock, version, type Clock, type Logger } from '../../src/platform/index.js'

export interface TestServer {
  app: FastifyInstance
  url: string
  client: ContinuumClient
  close(): Promise<void>
}

export async function startTestServer(database: TestDatabase, options: { clock?: Clock; logger?: Logger; bodyLimit?: number } = {}): Promise<TestServer> {
  const app = await buildServer({
    ctx: { db: database.db, clock: options.clock ?? systemClock },
    database,
    logger: options.logger ?? silentLogger,
    version,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, client: new ContinuumClient({ server: url }), close: () => app.close() }
}
