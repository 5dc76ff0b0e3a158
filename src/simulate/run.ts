/** One simulation request: a shipped scenario or the given YAML, answered as JSON or HTML. */
import type { SimulationReport, SimulationRequest } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { simulate } from './engine.js'
import { renderSimulationHtml } from './report-html.js'
import { parseScenario } from './scenario.js'
import { readShippedScenario } from './shipped.js'

/** Runs a shipped scenario (`name`) or the given YAML (`scenario`): the report, or its HTML. */
export function runSimulation(request: SimulationRequest): SimulationReport | string {
  if ((request.name === undefined) === (request.scenario === undefined)) {
    throw new ContinuumError('VALIDATION_FAILED', 'give either name or scenario', {
      errors: [{ field: 'name', message: 'exactly one of name and scenario is required' }],
    })
  }
  const { text, file } =
    request.name !== undefined
      ? readShippedScenario(request.name)
      : { text: request.scenario!, file: 'scenario.yaml' }
  const report = simulate(parseScenario(text, file))
  return request.format === 'html' ? renderSimulationHtml(report) : report
}
