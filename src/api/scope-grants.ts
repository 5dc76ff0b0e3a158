/**
 * The built-in issuer's scope policy, decided by the stored Cedar policies: for each requested
 * capability scope, may this person hold it (action `auth.scope.grant`)? A storage scope is a
 * resource of the community that owns the scope its path names (`storage.modify:/lofar/x` →
 * lofar's scope `lofar`); a compute scope is one of the requester's communities'. The shipped
 * policy `token-scopes` lets members hold storage.* under their community's scopes and
 * compute.* for their community; admins may hold anything. Scopes that grant nothing by
 * themselves (openid, offline_access, wlcg, wlcg.groups) are always given.
 */
import {
  MalformedScopeError,
  parseCapabilityScopes,
  principalOf,
  type ScopePolicy,
  type ScopeRequester,
} from '../auth/index.js'
import { scopeTenancy } from '../data/index.js'
import type { Context } from '../db/index.js'
import type { ResourceRef } from '../policy/index.js'
import type { Security } from './security.js'

export const scopeGrantAction = 'auth.scope.grant'

export function cedarScopePolicy(
  ctx: Context,
  security: Security,
  issuerUrl: () => string,
  communityOf: (group: string) => string | undefined,
): ScopePolicy {
  return async (who: ScopeRequester, requested: string[]) => {
    await security.engine.ensureCurrent()
    const communities = [
      ...new Set(who.groups.map(communityOf).filter((c): c is string => c !== undefined)),
    ]
    const principal = {
      principal: principalOf(issuerUrl(), who.subject),
      issuer: issuerUrl(),
      subject: who.subject,
      groups: who.groups,
      communities,
    }
    const granted: string[] = []
    for (const scope of requested) {
      const resource = await scopeResource(ctx, scope, communities)
      if (resource === null) {
        granted.push(scope)
        continue
      }
      if (resource === undefined) continue
      const decision = security.engine.decide({
        principal,
        action: scopeGrantAction,
        resource,
        context: { capabilityToken: false, scopeGrants: false },
      })
      if (decision.decision === 'allow') granted.push(scope)
    }
    return granted
  }
}

/**
 * The resource a requested scope is: null for a scope that is no capability (always given),
 * undefined for a malformed capability scope (never given).
 */
async function scopeResource(
  ctx: Context,
  scope: string,
  communities: string[],
): Promise<ResourceRef | null | undefined> {
  let parsed
  try {
    parsed = parseCapabilityScopes(scope)
  } catch (err) {
    if (err instanceof MalformedScopeError) return undefined
    throw err
  }
  const storage = parsed.storage[0]
  if (storage) {
    const name = storage.path.split('/')[1]
    const owner = name === undefined || name === '' ? undefined : await scopeTenancy(ctx, name)
    const attrs: Record<string, string> = { capability: storage.capability, path: storage.path }
    if (owner && owner.community !== '') attrs.community = owner.community
    return { type: 'Scope', id: scope, attrs }
  }
  const compute = parsed.compute[0]
  if (compute) {
    const attrs: Record<string, string> = { capability: compute }
    if (communities[0] !== undefined) attrs.community = communities[0]
    return { type: 'Scope', id: scope, attrs }
  }
  return null
}
