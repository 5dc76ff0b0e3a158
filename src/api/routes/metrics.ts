/** Prometheus metrics at /metrics (public, as scrapers expect): gauges read from the database on scrape. */
import type { FastifyInstance } from 'fastify'
import { Gauge, Registry } from 'prom-client'
import { Type } from '../../contract/index.js'
import { actingAs, type BaseContext } from '../../db/index.js'
import { systemActor } from '../../platform/index.js'
import { countTasksByStateAll } from '../../workflows/index.js'
import { partialFileMetrics, transferMetrics } from './transfer-metrics.js'
import { routeSchema } from '../route-schema.js'

export function metricsRoutes(app: FastifyInstance, { ctx }: { ctx: BaseContext }): void {
  const registry = new Registry()
  // Metrics are public and count everyone's work: they read as the installation.
  const system = actingAs(ctx, systemActor('metrics'))
  new Gauge({
    name: 'continuum_workflow_tasks',
    help: 'Workflow tasks by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const [state, n] of Object.entries(await countTasksByStateAll(system))) {
        this.set({ state }, n)
      }
    },
  })
  transferMetrics(registry, system)
  partialFileMetrics(registry, system)
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
