/** Prometheus metrics at /metrics (public, as scrapers expect): gauges read from the database on scrape. */
import type { FastifyInstance } from 'fastify'
import { Gauge, Registry } from 'prom-client'
import { Type } from '../../contract/index.js'
import type { Context } from '../../db/index.js'
import { countTasksByStateAll } from '../../workflows/index.js'
import { transferMetrics } from './transfer-metrics.js'
import { routeSchema } from '../route-schema.js'

export function metricsRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): void {
  const registry = new Registry()
  new Gauge({
    name: 'continuum_workflow_tasks',
    help: 'Workflow tasks by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const [state, n] of Object.entries(await countTasksByStateAll(ctx))) {
        this.set({ state }, n)
      }
    },
  })
  transferMetrics(registry, ctx)
  app.get('/metrics', {
    config: { action: 'metrics.read', public: true },
    logLevel: 'warn',
    schema: routeSchema({
      operationId: 'getMetrics',
      tags: ['metrics'],
      summary: 'Prometheus metrics (text exposition format)',
      response: { 200: Type.String() },
    }),
    handler: async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
  })
}
