/** Client calls of the policy domain and the audit log. */
import type {
  AccessSyncResult,
  AuditEntry,
  AuditQuery,
  Page,
  Policy,
  PolicyCreate,
  PolicyDetail,
  PolicyTestRequest,
  PolicyTestResult,
} from '../contract/index.js'
import type { HttpTransport, Loose } from './http.js'

const seg = encodeURIComponent

export class PolicyClient {
  constructor(private readonly http: HttpTransport) {}

  /** Compiles the catalogue's access policies to Cedar and stores the changed ones. */
  syncAccess(): Promise<AccessSyncResult> {
    return this.http.request('POST', '/policies/access-sync')
  }

  async list(options: { deleted?: boolean } = {}): Promise<Policy[]> {
    return (
      await this.http.request<{ items: Policy[] }>('GET', '/policies', {
        query: { deleted: options.deleted },
      })
    ).items
  }

  show(name: string): Promise<PolicyDetail> {
    return this.http.request('GET', `/policies/${seg(name)}`)
  }

  add(input: PolicyCreate): Promise<Policy> {
    return this.http.request('POST', '/policies', { body: input })
  }

  delete(name: string): Promise<Policy> {
    return this.http.request('DELETE', `/policies/${seg(name)}`)
  }

  test(input: PolicyTestRequest): Promise<PolicyTestResult> {
    return this.http.request('POST', '/policies/test', { body: input })
  }

  schema(): Promise<{ schema: Record<string, unknown>; actions: string[] }> {
    return this.http.request('GET', '/policies/schema')
  }
}

export class AuditClient {
  constructor(private readonly http: HttpTransport) {}

  list(query: Loose<AuditQuery> = {}): Promise<Page<AuditEntry>> {
    return this.http.request('GET', '/audit', { query })
  }
}
