/** Client calls of the catalogue. */
import type {
  Community,
  CommunityCreate,
  CommunityListQuery,
  CommunityUpdate,
  Infrastructure,
  InfrastructureCreate,
  InfrastructureListQuery,
  InfrastructureUpdate,
  Page,
} from '../contract/index.js'
import type { HttpTransport, Loose } from './http.js'

const seg = encodeURIComponent

export class CatalogClient {
  constructor(private readonly http: HttpTransport) {}

  listInfrastructures(query: Loose<InfrastructureListQuery> = {}): Promise<Page<Infrastructure>> {
    return this.http.request('GET', '/catalog/infrastructures', { query })
  }

  getInfrastructure(idOrName: string): Promise<Infrastructure> {
    return this.http.request('GET', `/catalog/infrastructures/${seg(idOrName)}`)
  }

  addInfrastructure(input: InfrastructureCreate): Promise<Infrastructure> {
    return this.http.request('POST', '/catalog/infrastructures', { body: input })
  }

  updateInfrastructure(idOrName: string, patch: InfrastructureUpdate): Promise<Infrastructure> {
    return this.http.request('PATCH', `/catalog/infrastructures/${seg(idOrName)}`, { body: patch })
  }

  deleteInfrastructure(idOrName: string): Promise<Infrastructure> {
    return this.http.request('DELETE', `/catalog/infrastructures/${seg(idOrName)}`)
  }

  listCommunities(query: Loose<CommunityListQuery> = {}): Promise<Page<Community>> {
    return this.http.request('GET', '/catalog/communities', { query })
  }

  getCommunity(idOrName: string): Promise<Community> {
    return this.http.request('GET', `/catalog/communities/${seg(idOrName)}`)
  }

  addCommunity(input: CommunityCreate): Promise<Community> {
    return this.http.request('POST', '/catalog/communities', { body: input })
  }

  updateCommunity(idOrName: string, patch: CommunityUpdate): Promise<Community> {
    return this.http.request('PATCH', `/catalog/communities/${seg(idOrName)}`, { body: patch })
  }

  deleteCommunity(idOrName: string): Promise<Community> {
    return this.http.request('DELETE', `/catalog/communities/${seg(idOrName)}`)
  }
}
