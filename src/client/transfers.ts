/** Client calls of the transfer scheduler: requests, link statistics, link limits, shares. */
import type {
  Transfer,
  TransferDetail,
  TransferLinkStats,
  TransferLinkUpdate,
  TransferShare,
  TransferStats,
} from '../contract/index.js'
import type { HttpTransport } from './http.js'

const seg = encodeURIComponent

export type TransferListQuery = {
  state?: string | undefined
  scope?: string | undefined
  name?: string | undefined
  /** Only the transfers of this rule's locks. */
  rule?: string | undefined
  limit?: number | undefined
}

export class TransfersClient {
  constructor(private readonly http: HttpTransport) {}

  async list(query: TransferListQuery = {}): Promise<Transfer[]> {
    return (await this.http.request<{ items: Transfer[] }>('GET', '/transfers', { query })).items
  }

  /** One request with its attempt history (class, message, source, duration) and events. */
  get(id: string): Promise<TransferDetail> {
    return this.http.request('GET', `/transfers/${seg(id)}`)
  }

  stats(windowSeconds?: number): Promise<TransferStats> {
    return this.http.request('GET', '/transfers/stats', { query: { window: windowSeconds } })
  }

  setLink(input: TransferLinkUpdate): Promise<TransferLinkStats> {
    return this.http.request('PUT', '/transfers/links', { body: input })
  }

  async listShares(): Promise<TransferShare[]> {
    return (await this.http.request<{ items: TransferShare[] }>('GET', '/transfers/shares')).items
  }

  setShare(share: TransferShare): Promise<TransferShare> {
    return this.http.request('PUT', '/transfers/shares', { body: share })
  }

  async deleteShare(kind: TransferShare['kind'], name: string): Promise<void> {
    await this.http.request('DELETE', `/transfers/shares/${seg(kind)}/${seg(name)}`)
  }
}
