/**
 * The policy engine: the stored policies, parsed once per change into Cedar's cache, and
 * decisions with the policies that determined them. Decisions are memoised per (principal
 * facts, action, resource, context, policy generation): Cedar is deterministic over those
 * inputs, so a cached answer is the answer Cedar would give.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { actionGroups, buildCedarSchema, parseAction, type ResourceType } from './cedar-schema.js'
import { listCurrentPolicyRows, policyTableStamp } from './policies-store.js'
import { PolicyIndex } from './policy-index.js'

export interface PrincipalFacts {
  principal: string
  issuer: string
  subject: string
  groups: readonly string[]
  communities: readonly string[]
}

export interface ResourceRef {
  type: ResourceType
  id: string
  attrs?: Record<string, string>
}

export interface DecisionContext {
  capabilityToken: boolean
  scopeGrants: boolean
  /** Which kind of capability scope decides this action: `storage`, `compute` or `none`. */
  scopeKind?: string
  /** Communities the caller's membership was revoked in. */
  revokedCommunities?: string[]
  interactive?: boolean
  unattended?: boolean
}

export interface AuthzRequest {
  principal: PrincipalFacts
  action: string
  resource: ResourceRef
  context: DecisionContext
}

export interface Decision {
  decision: 'allow' | 'deny'
  /** Names of the stored policies that determined the decision (empty: nothing permits). */
  policies: string[]
  errors: string[]
}

export interface PolicyText {
  name: string
  body: string
}

/** Splits stored policies into Cedar policy ids: `name`, or `name/1`, `name/2` … for several statements. */
export function toStaticPolicies(policies: readonly PolicyText[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of policies) {
    const parts = partsOf(p.body)
    if (parts.type === 'failure') {
      throw new ContinuumError(
        'POLICY_INVALID',
        `policy '${p.name}' does not parse: ${parts.errors.map((e) => e.message).join('; ')}`,
        { name: p.name },
      )
    }
    if (parts.policy_templates.length > 0) {
      throw new ContinuumError(
        'POLICY_INVALID',
        `policy '${p.name}': templates are not supported`,
        { name: p.name },
      )
    }
    if (parts.policies.length === 0) {
      throw new ContinuumError('POLICY_INVALID', `policy '${p.name}' has no statement`, {
        name: p.name,
      })
    }
    parts.policies.forEach((text, i) => {
      out[parts.policies.length === 1 ? p.name : `${p.name}/${i + 1}`] = text
    })
  }
  return out
}

/**
 * Splitting a policy into statements goes through Cedar's WASM parser (about 10 ms a policy):
 * a reload after one change would parse every unchanged policy again, so answers are kept by
 * text. Bounded; parsing is pure, so a kept answer is always right.
 */
const partsByText = new Map<string, ReturnType<typeof cedar.policySetTextToParts>>()

function partsOf(body: string): ReturnType<typeof cedar.policySetTextToParts> {
  let parts = partsByText.get(body)
  if (parts === undefined) {
    parts = cedar.policySetTextToParts(body)
    if (partsByText.size >= 20_000) partsByText.clear()
    partsByText.set(body, parts)
  }
  return parts
}

export function policyNameOf(cedarId: string): string {
  return cedarId.split('/')[0] as string
}

export class PolicyEngine {
  private generation = 0
  private index: PolicyIndex | undefined
  private stamp: string | undefined
  private checkedAt = -Infinity
  private readonly cache = new Map<string, Decision>()
  /**
   * The same answers keyed first by the principal object: the gate hands the verifier's cached
   * identity on every request of a token, so its next requests skip serialising its groups and
   * communities into the key (a third of the gate's own time per request).
   */
  private byPrincipal = new WeakMap<PrincipalFacts, Map<string, Decision>>()
  private preloading: Promise<void> | undefined

  constructor(
    private readonly ctx: Context,
    private readonly actions: () => Iterable<string>,
    private readonly options: { refreshMs?: number; cacheSize?: number } = {},
  ) {}

  /** Changes whenever a new policy set is loaded: answers derived from decisions expire then. */
  get version(): number {
    return this.generation
  }

  schema(): ReturnType<typeof buildCedarSchema> {
    return buildCedarSchema(this.actions())
  }

  /**
   * Starts loading the stored policies without waiting (server start: parsing them into Cedar
   * takes a few hundred milliseconds the listening server need not wait for). Every decision
   * path calls `ensureCurrent` first, which waits for this load; a failed load is reported to
   * `onError` and tried again by the next `ensureCurrent`, which then throws to its caller.
   */
  preload(onError: (err: unknown) => void): void {
    this.preloading ??= this.reload()
      .catch(onError)
      .finally(() => {
        this.preloading = undefined
      })
  }

  /** Whether the set was loaded and checked recently enough that `ensureCurrent` has nothing to do. */
  isCurrent(): boolean {
    return (
      this.preloading === undefined &&
      this.index !== undefined &&
      Date.now() - this.checkedAt < (this.options.refreshMs ?? 5000)
    )
  }

  /** Reloads the policy set if the table changed (checked at most every refreshMs). */
  async ensureCurrent(): Promise<void> {
    if (this.preloading) await this.preloading
    if (this.isCurrent()) return
    const stamp = await policyTableStamp(this.ctx.db)
    this.checkedAt = Date.now()
    if (stamp !== this.stamp || this.index === undefined) await this.reload(stamp)
  }

  /** Forces a reload; the write path calls it after a change in this process. */
  async reload(stamp?: string): Promise<void> {
    const rows = (await listCurrentPolicyRows(this.ctx.db)).filter((r) => !r.deleted)
    this.load(rows.map((r) => ({ name: r.name, body: r.body })))
    this.stamp = stamp ?? (await policyTableStamp(this.ctx.db))
    this.checkedAt = Date.now()
  }

  /** Loads a policy set directly (benchmarks, `policy test` with a draft). */
  load(policies: readonly PolicyText[]): void {
    // toStaticPolicies parses every policy in full (a syntax error is POLICY_INVALID there), and
    // the ids are the keys of one record: parsing the whole set again would find nothing new.
    const staticPolicies = toStaticPolicies(policies)
    this.index = new PolicyIndex(staticPolicies, `continuum-${process.pid}-${++this.generation}`)
    this.cache.clear()
    this.byPrincipal = new WeakMap()
  }

  decide(request: AuthzRequest, options: { useCache?: boolean } = {}): Decision {
    if (this.index === undefined) {
      throw new ContinuumError('INTERNAL', 'policy engine used before loading')
    }
    const useCache = options.useCache ?? true
    let mine: Map<string, Decision> | undefined
    let short = ''
    let key = ''
    if (useCache) {
      mine = this.byPrincipal.get(request.principal)
      short = requestKey(request)
      const quick = mine?.get(short)
      if (quick) return quick
      key = cacheKey(request)
      const hit = this.cache.get(key)
      if (hit) {
        this.remember(request.principal, mine, short, hit)
        return hit
      }
    }
    const setId = this.index.setFor(request.action, request.resource.type, request.resource.id)
    const decision: Decision =
      setId === null ? { decision: 'deny', policies: [], errors: [] } : evaluate(setId, request)
    if (useCache) {
      if (this.cache.size >= (this.options.cacheSize ?? 50_000)) {
        this.cache.clear()
        this.byPrincipal = new WeakMap()
        mine = undefined
      }
      this.cache.set(key, decision)
      this.remember(request.principal, mine, short, decision)
    }
    return decision
  }

  private remember(
    principal: PrincipalFacts,
    mine: Map<string, Decision> | undefined,
    key: string,
    decision: Decision,
  ): void {
    if (mine === undefined) {
      mine = new Map()
      this.byPrincipal.set(principal, mine)
    } else if (mine.size >= 1000) {
      mine.clear()
    }
    mine.set(key, decision)
  }
}

function evaluate(setId: string, r: AuthzRequest): Decision {
  const user = { type: 'User', id: r.principal.principal }
  const parents = [
    ...r.principal.groups.map((id) => ({ type: 'Group', id })),
    ...r.principal.communities.map((id) => ({ type: 'Community', id })),
  ]
  const resource = { type: r.resource.type, id: r.resource.id }
  const answer = cedar.statefulIsAuthorized({
    principal: user,
    action: { type: 'Action', id: r.action },
    resource,
    context: { ...r.context },
    preparsedPolicySetId: setId,
    entities: [
      // Evaluated without the schema, so the action's groups travel as its parents.
      { uid: { type: 'Action', id: r.action }, attrs: {}, parents: actionParents(r.action) },
      {
        uid: user,
        attrs: {
          issuer: r.principal.issuer,
          subject: r.principal.subject,
          groups: [...r.principal.groups],
          communities: [...r.principal.communities],
        },
        parents,
      },
      // Group and Community entities need not be listed: `in` follows the parents named here.
      { uid: resource, attrs: { ...r.resource.attrs }, parents: [] },
    ],
  })
  if (answer.type === 'failure') {
    return { decision: 'deny', policies: [], errors: answer.errors.map((e) => e.message) }
  }
  const { decision, diagnostics } = answer.response
  return {
    decision,
    policies: [...new Set(diagnostics.reason.map(policyNameOf))],
    errors: diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`),
  }
}

const parentsByAction = new Map<string, Array<{ type: string; id: string }>>()

function actionParents(action: string): Array<{ type: string; id: string }> {
  let parents = parentsByAction.get(action)
  if (!parents) {
    parents = actionGroups(parseAction(action)).map((id) => ({ type: 'Action', id }))
    parentsByAction.set(action, parents)
  }
  return parents
}

/** The request without its principal, for the per-principal cache. */
function requestKey(r: AuthzRequest): string {
  const attrs = r.resource.attrs === undefined ? '' : JSON.stringify(r.resource.attrs)
  return `${r.action}\n${r.resource.type}\n${JSON.stringify(r.resource.id)}\n${attrs}\n${JSON.stringify(r.context)}`
}

function cacheKey(r: AuthzRequest): string {
  return JSON.stringify([
    r.principal.principal,
    r.principal.groups,
    r.principal.communities,
    r.action,
    r.resource.type,
    r.resource.id,
    r.resource.attrs ?? null,
    r.context,
  ])
}
