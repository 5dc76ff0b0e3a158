/** HTTP routes of what-if planning: the shipped scenarios and running a simulation. */
import type { FastifyInstance } from 'fastify'
import {
  ScenarioListSchema,
  SimulationReportSchema,
  SimulationRequestSchema,
  Type,
  type SimulationRequest,
} from '../../contract/index.js'
import { listScenarios, runSimulationOffThread } from '../../simulate/index.js'
import { routeSchema } from '../route-schema.js'

export function planRoutes(app: FastifyInstance): void {
  const tags = ['plan']
  app.get('/plan/scenarios', {
    config: { action: 'plan.scenario.list' },
    schema: routeSchema({
      operationId: 'listScenarios',
      tags,
      summary: 'The what-if scenarios shipped in data/scenarios, with their titles and spans',
      response: { 200: ScenarioListSchema },
    }),
    handler: async () => listScenarios(),
  })
  app.post<{ Body: SimulationRequest }>('/plan/simulations', {
    // Simulating changes nothing: it is a read of the Run face's decisions on a virtual clock.
    config: { action: 'plan.scenario.simulate' },
    schema: routeSchema({
      operationId: 'simulateScenario',
      tags,
      summary:
        'Play a scenario (shipped, by name, or given as YAML) forward on the Run face’s placement, scheduling and brokering code; the report as JSON or standalone HTML',
      body: SimulationRequestSchema,
      response: { 200: Type.Union([SimulationReportSchema, Type.String()]) },
    }),
    handler: async (request, reply) => {
      const result = await runSimulationOffThread(request.body)
      if (typeof result === 'string') return reply.type('text/html; charset=utf-8').send(result)
      return result
    },
  })
}
