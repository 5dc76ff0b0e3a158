/**
 * Cedar evaluates every policy of a set on each request, and the WASM build copies the set per
 * call: at 1,000 policies a decision costs milliseconds. Most policies can never apply to a given
 * request — their scope (`action …`, `resource …` in the head) excludes it — so the engine
 * evaluates only the policies whose scope may match, as a smaller preparsed set. A policy that
 * cannot match its scope is neither satisfied nor erroring, so the decision and its reasons are
 * the same as with the whole set.
 *
 * Indexed: resource `==`/`in` an entity (our resources have no parents, so `in E` matches only
 * E itself), resource `is T`, and action `==` / `in` actions or action groups. Anything else
 * counts as "may match".
 */
import { createHash } from 'node:crypto'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import { actionGroups, parseAction } from './cedar-schema.js'

interface IndexedPolicy {
  id: string
  text: string
  /** Resource keys (`T` or `T::id`) it may match; undefined = any resource. */
  resources: string[] | undefined
  /** Action ids or groups it names; undefined = any action. */
  actions: string[] | undefined
}

type Uid = { type: string; id: string } | { __entity: { type: string; id: string } }

function uidKey(uid: Uid): string {
  const e = '__entity' in uid ? uid.__entity : uid
  return `${e.type}::${e.id}`
}

export class PolicyIndex {
  private readonly policies: IndexedPolicy[] = []
  private readonly sets = new Map<string, string | null>()

  constructor(
    staticPolicies: Record<string, string>,
    private readonly prefix: string,
    private readonly maxSets = 20_000,
  ) {
    for (const [id, text] of Object.entries(staticPolicies)) this.policies.push(index(id, text))
  }

  /** The preparsed set id for a request, or null when no policy can apply (deny, no reasons). */
  setFor(action: string, resourceType: string, resourceId: string): string | null {
    const lookup = `${action}\n${resourceType}\n${resourceId}`
    const known = this.sets.get(lookup)
    if (known !== undefined) return known
    const actionKeys = new Set([action, ...actionGroups(parseAction(action))])
    const resourceKeys = new Set([resourceType, `${resourceType}::${resourceId}`])
    const chosen = this.policies.filter(
      (p) =>
        (p.actions === undefined || p.actions.some((a) => actionKeys.has(a))) &&
        (p.resources === undefined || p.resources.some((r) => resourceKeys.has(r))),
    )
    let setId: string | null = null
    if (chosen.length > 0) {
      setId = `${this.prefix}:${createHash('sha1')
        .update(chosen.map((p) => p.id).join('\n'))
        .digest('hex')}`
      const answer = cedar.preparsePolicySet(setId, {
        staticPolicies: Object.fromEntries(chosen.map((p) => [p.id, p.text])),
      })
      if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '))
    }
    if (this.sets.size >= this.maxSets) this.sets.clear()
    this.sets.set(lookup, setId)
    return setId
  }
}

type Scope = Pick<IndexedPolicy, 'resources' | 'actions'>

/** A policy's scope by its text: converting it to JSON in WASM is the costly part of a reload. */
const scopeByText = new Map<string, Scope>()

function index(id: string, text: string): IndexedPolicy {
  let scope = scopeByText.get(text)
  if (scope === undefined) {
    scope = scopeOf(text)
    if (scopeByText.size >= 20_000) scopeByText.clear()
    scopeByText.set(text, scope)
  }
  return { id, text, ...scope }
}

function scopeOf(text: string): Scope {
  const json = cedar.policyToJson(text)
  if (json.type === 'failure') return { resources: undefined, actions: undefined }
  const { resource, action } = json.json
  let resources: string[] | undefined
  if ((resource.op === '==' || resource.op === 'in') && 'entity' in resource) {
    resources = [uidKey(resource.entity)]
  } else if (resource.op === 'is') resources = [resource.entity_type]
  let actions: string[] | undefined
  if (action.op === '==' && 'entity' in action) {
    actions = [uidKey(action.entity).replace(/^Action::/, '')]
  } else if (action.op === 'in') {
    const entities = 'entities' in action ? action.entities : [action.entity]
    actions = entities.map((e) => uidKey(e).replace(/^Action::/, ''))
  }
  return { resources, actions }
}
