/**
 * Which WLCG capability an action on a resource needs, and whether a token's scopes grant it.
 * Storage: a resource with a `path` (a DataIdentifier, a storage path) under the `data`,
 * `storage` or `transfers` domains needs `storage.<read|create|modify|stage>` covering the path.
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
import type { ResourceRef } from './engine.js'

const storageDomains = new Set(['data', 'storage', 'transfers'])
const computeDomains = new Set(['workflows', 'workflow', 'compute', 'jobs'])

export function scopeGrants(
  scopes: CapabilityScopes,
  action: string,
  resource: ResourceRef,
): boolean {
  const { domain, verb } = parseAction(action)
  const path = resource.attrs?.path
  if (storageDomains.has(domain) && path !== undefined) {
    return storageScopeGrants(scopes.storage, storageCapabilityForVerb(verb), path)
  }
  if (computeDomains.has(domain)) {
    return computeScopeGrants(scopes.compute, computeCapabilityForVerb(verb))
  }
  return false
}
