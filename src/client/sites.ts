/** Client calls of sites (compute services bound to executors) and storage bindings. */
import type {
  ComputeSite,
  ComputeSiteCreate,
  StorageBinding,
  UseCasePlan,
  UseCasePlanRequest,
} from '../contract/index.js'
import type { HttpTransport } from './http.js'

const seg = encodeURIComponent

export class SitesClient {
  constructor(private readonly http: HttpTransport) {}

  async list(): Promise<ComputeSite[]> {
    return (await this.http.request<{ items: ComputeSite[] }>('GET', '/sites')).items
  }

  get(name: string): Promise<ComputeSite> {
    return this.http.request('GET', `/sites/${seg(name)}`)
  }

  /** Binds a catalogue compute service to an executor; `replace: true` re-binds a site. */
  add(input: ComputeSiteCreate): Promise<ComputeSite> {
    return this.http.request('POST', '/sites', { body: input })
  }

  /** Stops new placements (placed tasks finish); `drain: false` takes the site back. */
  drain(name: string, drain = true): Promise<ComputeSite> {
    return this.http.request('POST', `/sites/${seg(name)}/drain`, { body: { drain } })
  }

  remove(name: string): Promise<ComputeSite> {
    return this.http.request('DELETE', `/sites/${seg(name)}`)
  }

  async storageBindings(): Promise<StorageBinding[]> {
    return (await this.http.request<{ items: StorageBinding[] }>('GET', '/storage-bindings')).items
  }

  /** Where a use case's workflow (given, its shipped example, or a probe) would run, and why. */
  plan(useCase: string, request: UseCasePlanRequest = {}): Promise<UseCasePlan> {
    return this.http.request('POST', `/landscape/plan/${seg(useCase)}`, { body: request })
  }

  bindStorage(service: string, endpoints: string[]): Promise<StorageBinding> {
    return this.http.request('PUT', `/storage-bindings/${seg(service)}`, { body: { endpoints } })
  }
}
