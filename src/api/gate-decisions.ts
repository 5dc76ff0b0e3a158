/**
 * The gate's decisions with what their audit rows and errors say, and the answers kept for
 * routes that act on a collection (see gate.ts).
 */
import type { Identity } from '../auth/index.js'
import type { Decision, ResourceRef } from '../policy/index.js'
import { scopeDecision } from '../policy/index.js'
import type { RouteResource } from './gate.js'
import type { Security } from './security.js'

/** A decision with what its audit row and error say, worked out once per cached answer. */
export interface Decided {
  decision: Decision
  resource: ResourceRef
  resourceText: string
  /** Why it was denied (empty when allowed), with Cedar's errors. */
  reason: string
  denial: string
}

export function describe(decision: Decision, resource: ResourceRef): Decided {
  const denial =
    decision.decision === 'allow'
      ? ''
      : decision.policies.length > 0
        ? `forbidden by ${decision.policies.join(', ')}`
        : 'no policy permits this'
  return {
    decision,
    resource,
    resourceText: `${resource.type}::${JSON.stringify(resource.id)}`,
    reason: [denial, ...decision.errors].filter((s) => s !== '').join('; '),
    denial,
  }
}

/** The policy engine's decision on one resource, described for its audit row and error. */
export function decideOn(
  security: Security,
  identity: Identity,
  action: string,
  resource: ResourceRef,
): Decided {
  return describe(
    security.engine.decide({
      principal: identity,
      action,
      resource,
      context: scopeDecision(identity, action, resource),
    }),
    resource,
  )
}

/**
 * A route without `config.resource` acts on its collection, which the action alone names: its
 * answer is kept per identity object (a changed identity, e.g. with a revocation applied, is a
 * new object), action and policy version, so a client's next request skips building the
 * resource, the scope context and the decision's key.
 */
export function collectionDecision(
  security: Security,
  identity: Identity,
  action: string,
): Decided {
  const version = security.engine.version
  let mine = collectionDecisions.get(identity)
  if (mine === undefined || mine.version !== version) {
    mine = { version, byAction: new Map() }
    collectionDecisions.set(identity, mine)
  }
  let decided = mine.byAction.get(action)
  if (decided === undefined) {
    decided = decideOn(security, identity, action, toResourceRef(collectionOf(action)))
    mine.byAction.set(action, decided)
  }
  return decided
}
const collectionDecisions = new WeakMap<
  Identity,
  { version: number; byAction: Map<string, Decided> }
>()

function collectionOf(action: string): RouteResource {
  let id = collections.get(action)
  if (id === undefined) {
    id = action.split('.').slice(0, -1).join('.')
    collections.set(action, id)
  }
  return { type: 'Collection', id }
}
const collections = new Map<string, string>()

export function toResourceRef(r: RouteResource): ResourceRef {
  const attrs: Record<string, string> = { ...r.attrs }
  for (const key of ['path', 'community', 'owner', 'name', 'scope'] as const) {
    const value = r[key]
    if (value !== undefined) attrs[key] = value
  }
  if (r.public !== undefined) attrs.public = String(r.public)
  return { type: r.type, id: r.id, attrs }
}
