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
import type {
  BadReplica,
  Lock,
  Quota,
  QuotaSet,
  Rule,
  RuleCreate,
  RuleListQuery,
  Transfer,
  TransferDetail,
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

  addRule(input: RuleCreate): Promise<Rule> {
    return this.http.request('POST', '/data/rules', { body: input })
  }

  async listRules(query: Loose<RuleListQuery> = {}): Promise<Rule[]> {
    return (await this.http.request<{ items: Rule[] }>('GET', '/data/rules', { query })).items
  }

  getRule(id: string): Promise<Rule> {
    return this.http.request('GET', `/data/rules/${seg(id)}`)
  }

  async listRuleLocks(id: string): Promise<Lock[]> {
    return (await this.http.request<{ items: Lock[] }>('GET', `/data/rules/${seg(id)}/locks`)).items
  }

  deleteRule(id: string): Promise<Rule> {
    return this.http.request('DELETE', `/data/rules/${seg(id)}`)
  }

  declareBad(input: BadReplica): Promise<{ transfers: number }> {
    return this.http.request('POST', '/data/replicas/bad', { body: input })
  }

  setQuota(input: QuotaSet): Promise<Quota> {
    return this.http.request('PUT', '/data/quotas', { body: input })
  }

  async listQuotas(owner?: string): Promise<Quota[]> {
    return (
      await this.http.request<{ items: Quota[] }>('GET', '/data/quotas', { query: { owner } })
    ).items
  }

  async listTransfers(
    query: {
      state?: string | undefined
      scope?: string | undefined
      name?: string | undefined
      rule?: string | undefined
    } = {},
  ): Promise<Transfer[]> {
    return (await this.http.request<{ items: Transfer[] }>('GET', '/transfers', { query })).items
  }

  getTransfer(id: string): Promise<TransferDetail> {
    return this.http.request('GET', `/transfers/${seg(id)}`)
  }

  /** Streams bytes to an endpoint chosen by `to`; the server verifies and registers the replica. */
  async upload(
    did: DidRef,
    body: BodyInit,
    options: { to: string; bytes?: number; adler32?: string },
  ): Promise<Replica> {
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      accept: 'application/json',
    }
    if (options.bytes !== undefined) headers['content-length'] = String(options.bytes)
    const res = await this.http.stream('PUT', `/data/files/${seg(did.scope)}/${seg(did.name)}`, {
      query: { to: options.to, adler32: options.adler32 },
      body,
      headers,
    })
    return (await res.json()) as Replica
  }

  /** Opens a download; the caller verifies `adler32` and `bytes` while streaming `res.body`. */
  async download(
    did: DidRef,
    exclude: string[] = [],
  ): Promise<{ response: Response; bytes: number; adler32: string | null; endpoint: string }> {
    const res = await this.http.stream('GET', `/data/files/${seg(did.scope)}/${seg(did.name)}`, {
      query: { exclude: exclude.length ? exclude.join(',') : undefined },
    })
    return {
      response: res,
      bytes: Number(res.headers.get('content-length') ?? 0),
      adler32: res.headers.get('x-adler32'),
      endpoint: res.headers.get('x-replica-endpoint') ?? '',
    }
  }
}
