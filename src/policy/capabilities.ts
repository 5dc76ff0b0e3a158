/**
 * Which WLCG capability an action on a resource needs, and whether a token's scopes grant it.
 * Storage: a resource with a `path` (a DataIdentifier, a storage path) under the `data`,
 * `storage` or `transfers` domains needs `storage.<stat|read|create|modify|stage>` covering the
 * path (stat — metadata — is included in every storage capability; download needs read).
 * Compute: actions of the `workflows`, `compute` and `jobs` domains need `compute.<verb>`.
 * Any other action is granted by no scope: a capability token cannot use it.
 */
import {
  computeCapabilityForVerb,
  computeScopeGrants,
  storageCapabilityForVerb,
  storageScopeGrants,
  type CapabilityScopes,
} from '../auth/index.js'
import { parseAction } from './cedar-schema.js'
import type { DecisionContext, ResourceRef } from './engine.js'

const storageDomains = new Set(['data', 'storage', 'transfers'])
const computeDomains = new Set(['workflows', 'workflow', 'compute', 'jobs'])

/** Which kind of capability scope would decide an action on a resource, if any. */
export function scopeKindOf(action: string, resource: ResourceRef): 'storage' | 'compute' | 'none' {
  const { domain } = parseAction(action)
  if (storageDomains.has(domain) && resource.attrs?.path !== undefined) return 'storage'
  if (computeDomains.has(domain)) return 'compute'
  return 'none'
}

export function scopeGrants(
  scopes: CapabilityScopes,
  action: string,
  resource: ResourceRef,
): boolean {
  const { verb } = parseAction(action)
  const kind = scopeKindOf(action, resource)
  if (kind === 'storage') {
    return storageScopeGrants(
      scopes.storage,
      storageCapabilityForVerb(verb),
      resource.attrs?.path ?? '',
    )
  }
  if (kind === 'compute') return computeScopeGrants(scopes.compute, computeCapabilityForVerb(verb))
  return false
}

/** The facts of a caller's token that policies decide on, for one action on one resource. */
export interface TokenFacts {
  capabilityToken: boolean
  scopes: CapabilityScopes
  revokedCommunities?: readonly string[]
}

export function scopeDecision(
  token: TokenFacts,
  action: string,
  resource: ResourceRef,
): DecisionContext {
  return {
    capabilityToken: token.capabilityToken,
    scopeGrants: token.capabilityToken && scopeGrants(token.scopes, action, resource),
    scopeKind: scopeKindOf(action, resource),
    revokedCommunities: [...(token.revokedCommunities ?? [])],
  }
}
