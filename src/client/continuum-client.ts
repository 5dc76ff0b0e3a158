import { CatalogClient } from './catalog.js'
import { HttpTransport, type ClientOptions } from './http.js'
import { WorkflowsClient } from './workflows.js'

/** The typed client of the Continuum API, one property per domain. */
export class ContinuumClient {
  readonly http: HttpTransport
  readonly catalog: CatalogClient
  readonly workflows: WorkflowsClient

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options)
    this.catalog = new CatalogClient(this.http)
    this.workflows = new WorkflowsClient(this.http)
  }

  health(): Promise<{ status: 'ok'; version: string }> {
    return this.http.request('GET', '/healthz')
  }

  readiness(): Promise<{ status: 'ready'; backend: string; checks: Record<string, string> }> {
    return this.http.request('GET', '/readyz')
  }

  /** Walks every page of a listing; never holds more than one page. */
  static async *pages<T, Q extends object>(list: (query: Q & { cursor?: string }) => Promise<{ items: T[]; next: string | null }>, query: Q): AsyncGenerator<T> {
    let cursor: string | undefined
    do {
      const page = await list(cursor === undefined ? query : { ...query, cursor })
      yield* page.items
      cursor = page.next ?? undefined
    } while (cursor !== undefined)
  }
}
