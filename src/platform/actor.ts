/**
 * Who a use case acts for. Every request's verified identity becomes an `Actor` (see
 * api/gate.ts); background agents act as a named system principal. Use cases read it from their
 * `Context`, so there is no default "root" anywhere: a context without an actor does not type-check.
 */
export interface Actor {
  /** `issuer#subject` of a verified token, or `system:<name>` for background work. */
  principal: string
  /** The Rucio-style account: the token's subject, or the system principal's name. */
  account: string
  /** Communities the actor is a verified member of (revoked memberships removed). */
  communities: readonly string[]
  /**
   * Which communities' private items the actor may see: every community (admins, background
   * agents), or these. Lists filter on it; the gate computes it from the policies.
   */
  sees: 'all' | readonly string[]
  kind: 'user' | 'system' | 'anonymous'
}

/** A background agent or the server itself, acting for the installation. */
export function systemActor(name: string): Actor {
  return {
    principal: `system:${name}`,
    account: name,
    communities: [],
    sees: 'all',
    kind: 'system',
  }
}

/** A caller of a public route: no token, sees no community's private items. */
export const anonymousActor: Actor = {
  principal: 'anonymous',
  account: 'anonymous',
  communities: [],
  sees: [],
  kind: 'anonymous',
}

/** True when the actor may see items that belong to `community` (null: the installation's own). */
export function actorSees(actor: Actor, community: string | null | undefined): boolean {
  if (actor.sees === 'all') return true
  return community !== null && community !== undefined && actor.sees.includes(community)
}

/** The communities a list is limited to, or undefined for no limit. */
export function visibleCommunities(actor: Actor): readonly string[] | undefined {
  return actor.sees === 'all' ? undefined : actor.sees
}
