/**
 * simulate: what-if planning on the Run face's own decision code — a scenario (sites, links,
 * outages, communities' ingest, rules, workflows and allocations) played forward on a virtual
 * clock, reported over time as JSON or a standalone HTML page. Writes no tables.
 */
export { parseScenario } from './scenario.js'
export { simulate, Simulation } from './engine.js'
export { renderSimulationHtml } from './report-html.js'
export {
  listScenarios,
  readShippedScenario,
  shippedScenarioNames,
  scenariosDir,
} from './shipped.js'
export { runSimulation } from './run.js'
export { runSimulationOffThread, simulationsOffThread } from './simulation-thread.js'
