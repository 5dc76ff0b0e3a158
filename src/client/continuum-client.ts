import { AuthClient } from './auth.js'
import { CatalogClient } from './catalog.js'
import { LandscapeClient } from './catalog-services.js'
import { DataClient } from './data.js'
import { HttpTransport, type ClientOptions } from './http.js'
import { AuditClient, PolicyClient } from './policy.js'
import { PlanClient } from './plan.js'
import { PracticeClient } from './practice.js'
import { SitesClient } from './sites.js'
import { TransfersClient } from './transfers.js'
import { WorkflowsClient } from './workflows.js'

/** The typed client of the Continuum API, one property per domain. */
export class ContinuumClient {
  readonly http: HttpTransport
  readonly catalog: CatalogClient
  /** Landscape records, catalogue import/export, survey, match, gaps, reports. */
  readonly landscape: LandscapeClient
  readonly auth: AuthClient
  readonly policy: PolicyClient
  readonly audit: AuditClient
  readonly data: DataClient
  /** Transfer requests, link statistics and limits, shares. */
  readonly transfers: TransfersClient
  readonly workflows: WorkflowsClient
  /** Compute sites (catalogue services bound to executors) and storage bindings. */
  readonly sites: SitesClient
  /** What-if planning: shipped scenarios and simulations on the Run face's decisions. */
  readonly plan: PlanClient
  /** Communities of practice: working groups, questionnaires, interviews, drafts, the hub. */
  readonly practice: PracticeClient

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options)
    this.catalog = new CatalogClient(this.http)
    this.landscape = new LandscapeClient(this.http)
    this.auth = new AuthClient(this.http)
    this.policy = new PolicyClient(this.http)
    this.audit = new AuditClient(this.http)
    this.data = new DataClient(this.http)
    this.transfers = new TransfersClient(this.http)
    this.workflows = new WorkflowsClient(this.http)
    this.sites = new SitesClient(this.http)
    this.plan = new PlanClient(this.http)
    this.practice = new PracticeClient(this.http)
  }

  health(): Promise<{ status: 'ok'; version: string }> {
    return this.http.request('GET', '/healthz')
  }

  readiness(): Promise<{ status: 'ready'; backend: string; checks: Record<string, string> }> {
    return this.http.request('GET', '/readyz')
  }

  /** Walks every page of a listing; never holds more than one page. */
  static async *pages<T, Q extends object>(
    list: (query: Q & { cursor?: string }) => Promise<{ items: T[]; next: string | null }>,
    query: Q,
  ): AsyncGenerator<T> {
    let cursor: string | undefined
    do {
      const page = await list(cursor === undefined ? query : { ...query, cursor })
      yield* page.items
      cursor = page.next ?? undefined
    } while (cursor !== undefined)
  }
}
