/** Client calls of what-if planning: shipped scenarios and simulations. */
import type { ScenarioList, SimulationReport, SimulationRequest } from '../contract/index.js'
import type { HttpTransport } from './http.js'

export class PlanClient {
  constructor(private readonly http: HttpTransport) {}

  scenarios(): Promise<ScenarioList> {
    return this.http.request('GET', '/plan/scenarios')
  }

  /** The report of a shipped scenario (`name`) or of the YAML given (`scenario`). */
  simulate(request: Omit<SimulationRequest, 'format'>): Promise<SimulationReport> {
    return this.http.request('POST', '/plan/simulations', { body: { ...request, format: 'json' } })
  }

  /** The same report as one standalone HTML page (plots inline). */
  simulateHtml(request: Omit<SimulationRequest, 'format'>): Promise<string> {
    return this.http.request('POST', '/plan/simulations', { body: { ...request, format: 'html' } })
  }
}
