/** Who is calling: the verified facts of one access token, as the gate and policies see them. */
import type { CapabilityScopes } from './wlcg.js'

export interface Identity {
  issuer: string
  subject: string
  /** `issuer#subject`: the Cedar User id and the audit log's "who". */
  principal: string
  /** `wlcg.groups`, ordered and exactly as issued (revoked memberships removed). */
  groups: string[]
  /** Communities the groups map to (e.g. `/atlas/production` → `atlas`). */
  communities: string[]
  scopes: CapabilityScopes
  /** True when the token carries storage.* or compute.* scopes: those decide, not groups. */
  capabilityToken: boolean
  /**
   * Communities this subject's membership was revoked in: removed from `communities`, and
   * named here so that policies refuse even a capability token's scopes on their items.
   */
  revokedCommunities: string[]
  clientId: string | undefined
  tokenId: string | undefined
  expiresAt: Date
}

export function principalOf(issuer: string, subject: string): string {
  return `${issuer}#${subject}`
}
