/** Client calls of the data federation. */
import type {
  Attachment,
  BulkResult,
  DataScope,
  DataScopeCreate,
  Did,
  DidCreate,
  DidListQuery,
  DidRef,
  DidUpdate,
  Endpoint,
  EndpointCreate,
  EndpointUpdate,
  Page,
  Replica,
  ReplicaBulk,
} from '../contract/index.js'
import type { HttpTransport, Loose } from './http.js'

const seg = encodeURIComponent
const ref = (d: DidRef): DidRef => ({ scope: d.scope, name: d.name })
const didPath = (d: DidRef) => `/data/dids/${seg(d.scope)}/${seg(d.name)}`

export class DataClient {
  constructor(private readonly http: HttpTransport) {}

  async listScopes(): Promise<DataScope[]> {
    return (await this.http.request<{ items: DataScope[] }>('GET', '/data/scopes')).items
  }

  addScope(input: DataScopeCreate): Promise<DataScope> {
    return this.http.request('POST', '/data/scopes', { body: input })
  }

  listDids(query: Loose<DidListQuery> & { scope: string }): Promise<Page<Did>> {
    return this.http.request('GET', '/data/dids', { query })
  }

  addDid(input: DidCreate): Promise<Did> {
    return this.http.request('POST', '/data/dids', { body: input })
  }

  getDid(did: DidRef): Promise<Did> {
    return this.http.request('GET', didPath(did))
  }

  updateDid(did: DidRef, patch: DidUpdate): Promise<Did> {
    return this.http.request('PATCH', didPath(did), { body: patch })
  }

  deleteDid(did: DidRef): Promise<Did> {
    return this.http.request('DELETE', didPath(did))
  }

  listContent(
    did: DidRef,
    query: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<Page<Did>> {
    return this.http.request('GET', `${didPath(did)}/content`, { query })
  }

  attach(parent: DidRef, children: DidRef[]): Promise<{ attached: number }> {
    return this.http.request('POST', `${didPath(parent)}/attach`, {
      body: { children: children.map(ref) } satisfies Attachment,
    })
  }

  detach(parent: DidRef, children: DidRef[]): Promise<{ detached: number }> {
    return this.http.request('POST', `${didPath(parent)}/detach`, {
      body: { children: children.map(ref) } satisfies Attachment,
    })
  }

  async listReplicas(did: DidRef): Promise<Replica[]> {
    return (await this.http.request<{ items: Replica[] }>('GET', `${didPath(did)}/replicas`)).items
  }

  async listEndpoints(expression?: string): Promise<Endpoint[]> {
    return (
      await this.http.request<{ items: Endpoint[] }>('GET', '/data/endpoints', {
        query: { expression },
      })
    ).items
  }

  addEndpoint(input: EndpointCreate): Promise<Endpoint> {
    return this.http.request('POST', '/data/endpoints', { body: input })
  }

  getEndpoint(name: string): Promise<Endpoint> {
    return this.http.request('GET', `/data/endpoints/${seg(name)}`)
  }

  updateEndpoint(name: string, patch: EndpointUpdate): Promise<Endpoint> {
    return this.http.request('PATCH', `/data/endpoints/${seg(name)}`, { body: patch })
  }

  registerReplicas(input: ReplicaBulk): Promise<BulkResult> {
    return this.http.request('POST', '/data/replicas', { body: input })
  }
}
