/** Liveness and readiness, for load balancers and orchestrators; public. */
import type { FastifyInstance } from 'fastify'
import { Type } from '../../contract/index.js'
import { assertSchemaCurrent, type Database } from '../../db/index.js'
import { ContinuumError } from '../../platform/index.js'
import { routeSchema } from '../route-schema.js'

const HealthSchema = Type.Object({ status: Type.Literal('ok'), version: Type.String() })
const ReadySchema = Type.Object({
  status: Type.Literal('ready'),
  backend: Type.String(),
  checks: Type.Record(Type.String(), Type.String()),
})

export function healthRoutes(
  app: FastifyInstance,
  options: { database: Database; version: string },
): void {
  app.get('/healthz', {
    config: { action: 'health.read', public: true },
    logLevel: 'warn',
    schema: routeSchema({
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Liveness: the process is up',
      response: { 200: HealthSchema },
    }),
    handler: async () => ({ status: 'ok' as const, version: options.version }),
  })

  app.get('/readyz', {
    config: { action: 'health.read', public: true },
    logLevel: 'warn',
    schema: routeSchema({
      operationId: 'getReadiness',
      tags: ['health'],
      summary: 'Readiness: the database answers and its schema is current',
      response: { 200: ReadySchema },
    }),
    handler: async () => {
      try {
        await options.database.db.selectNoFrom((eb) => eb.val(1).as('one')).execute()
      } catch (cause) {
        // Say why, so an operator reading a failing probe knows where to look.
        const reason = (cause as Error).message || String(cause)
        throw new ContinuumError(
          'DATABASE_UNAVAILABLE',
          `not ready: the database does not answer (${reason})`,
          { checks: { database: 'unreachable' }, reason },
          { cause },
        )
      }
      await assertSchemaCurrent(options.database)
      return {
        status: 'ready' as const,
        backend: options.database.backend,
        checks: { database: 'ok', schema: 'ok' },
      }
    },
  })
}
