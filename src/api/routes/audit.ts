/** The audit log over HTTP: read-only; entries are written by the gate alone. */
import type { FastifyInstance } from 'fastify'
import { AuditPageSchema, AuditQuerySchema, type AuditQuery } from '../../contract/index.js'
import { routeSchema } from '../route-schema.js'
import type { Security } from '../security.js'

export function auditRoutes(app: FastifyInstance, { security }: { security: Security }): void {
  app.get<{ Querystring: AuditQuery }>('/audit', {
    config: { action: 'audit.entry.list' },
    schema: routeSchema({
      operationId: 'listAudit',
      tags: ['audit'],
      summary: 'Decisions of the gate, newest first, filtered and paged',
      querystring: AuditQuerySchema,
      response: { 200: AuditPageSchema },
    }),
    handler: (request) => security.audit.list(request.query),
  })
}
