/**
 * Revoked community memberships: a community may withdraw a member before their tokens expire.
 * The gate removes revoked communities (and the groups under them) from every identity. The list
 * is cached in each process, reloaded after a local change and at least every `ttlMs`.
 */
import type { Context } from '../db/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import type { Identity } from './identity.js'
import {
  deleteRevocationRow,
  insertRevocation,
  listRevocationRows,
  type RevocationRow,
} from './revocations-store.js'

export interface Revocation {
  id: string
  issuer: string
  subject: string
  community: string
  createdBy: string
  createdAt: string
}

export class RevocationList {
  private revoked = new Map<string, Set<string>>()
  private loadedAt = -Infinity
  private loading: Promise<void> | undefined

  constructor(
    private readonly ctx: Context,
    private readonly ttlMs = 5000,
  ) {}

  async apply(identity: Identity): Promise<Identity> {
    if (Date.now() - this.loadedAt > this.ttlMs) await this.reload()
    return this.withoutRevoked(identity)
  }

  /** `apply` without waiting, while the list is fresh; undefined when it must be reloaded. */
  applyIfFresh(identity: Identity): Identity | undefined {
    return Date.now() - this.loadedAt > this.ttlMs ? undefined : this.withoutRevoked(identity)
  }

  private withoutRevoked(identity: Identity): Identity {
    const gone = this.revoked.get(`${identity.issuer}#${identity.subject}`)
    if (!gone) return identity
    return {
      ...identity,
      communities: identity.communities.filter((c) => !gone.has(c)),
      revokedCommunities: [...gone],
      groups: identity.groups.filter((g) => !gone.has(g.split('/')[1]?.toLowerCase() ?? '')),
    }
  }

  async reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await listRevocationRows(this.ctx.db)
        const next = new Map<string, Set<string>>()
        for (const r of rows) {
          const key = `${r.issuer}#${r.subject}`
          next.set(key, (next.get(key) ?? new Set()).add(r.community))
        }
        this.revoked = next
        this.loadedAt = Date.now()
      } finally {
        this.loading = undefined
      }
    })()
    return this.loading
  }

  async add(
    input: { issuer: string; subject: string; community: string },
    by: string,
  ): Promise<Revocation> {
    const row: RevocationRow = {
      id: newId(),
      ...input,
      created_by: by,
      created_at: this.ctx.clock.now(),
    }
    await insertRevocation(this.ctx.db, row)
    await this.reload()
    return toRevocation(row)
  }

  async list(): Promise<Revocation[]> {
    return (await listRevocationRows(this.ctx.db)).map(toRevocation)
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteRevocationRow(this.ctx.db, id))) {
      throw new ContinuumError('REVOCATION_NOT_FOUND', `revocation ${id} not found`, { id })
    }
    await this.reload()
  }
}

function toRevocation(r: RevocationRow): Revocation {
  return {
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    community: r.community,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  }
}
