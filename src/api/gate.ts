/**
 * The one authorisation gate. On every non-public route:
 *   onRequest   authenticate the bearer token (401 UNAUTHENTICATED before any body is read);
 *   preHandler  build the Cedar request — the route's action, its resource (default: the
 *               route's collection; a route derives a richer one with `config.resource`, which
 *               may look up the record's community, owner and visibility), the WLCG scope
 *               facts — decide, audit, and answer 403 POLICY_DENIED with the determining
 *               policies when denied, or the record's NOT_FOUND when the caller may not even
 *               see it (existence does not leak across communities).
 * Every request then carries `request.ctx`: the use cases' context acting as the caller.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Identity } from '../auth/index.js'
import { actingAs, type BaseContext, type Context } from '../db/index.js'
import { anonymousActor, ContinuumError, systemActor, type Actor } from '../platform/index.js'
import { parseAction, scopeDecision, type ResourceRef, type ResourceType } from '../policy/index.js'
import { collectionDecision, decideOn, toResourceRef, type Decided } from './gate-decisions.js'
import type { Security } from './security.js'

/** What a route's `config.resource` returns; top-level fields join `attrs` for policies. */
export interface RouteResource {
  type: ResourceType
  id: string
  attrs?: Record<string, string>
  path?: string
  /** The community that owns the item; `''` for the installation's own (admins only). */
  community?: string
  /** Principal that created the item. */
  owner?: string
  /** Readable by every authenticated identity (open data scopes). */
  public?: boolean
  name?: string
  scope?: string
  /**
   * The error a caller gets when they may not see the item at all: a community's private item
   * answers as if it did not exist.
   */
  notFound?: ContinuumError
}

/** Derives the Cedar resource from the validated request; may read the record it names. */
export type ResourceResolver = (request: FastifyRequest) => RouteResource | Promise<RouteResource>

declare module 'fastify' {
  interface FastifyContextConfig {
    resource?: ResourceResolver
    /**
     * The handler authorises with `request.authorize` once it knows the resource (a workflow's
     * community is in its YAML); the gate then only authenticates.
     */
    deferAuthorization?: boolean
  }
  interface FastifyRequest {
    identity?: Identity
    /** The use cases' context for this request, acting as the verified caller. */
    ctx: Context
    /** Decides one more action on one more resource as the caller; throws when denied. */
    authorize(action: string, resource: RouteResource): void
  }
  interface FastifyInstance {
    security: Security
  }
}

export function installGate(app: FastifyInstance, security: Security, base: BaseContext): void {
  app.decorate('security', security)
  app.decorateRequest('ctx', null as unknown as Context)
  app.decorateRequest('authorize', function (this: FastifyRequest): void {
    throw new ContinuumError('INTERNAL', 'authorize called before the gate ran')
  })
  app.addHook('onRoute', (route) => {
    const action = route.config?.action
    if (route.config?.public) {
      for (const m of [route.method].flat()) security.publicRoutes.add(`${m} ${route.url}`)
    }
    if (action && !route.config?.public && route.method !== 'HEAD') {
      parseAction(action)
      security.actions.add(action)
    }
  })
  app.addHook('onClose', async () => {
    await security.audit.flush()
  })
  const ungated = actingAs(base, systemActor('ungated'))
  const contexts: ContextCache = new WeakMap()
  const anonymous = actingAs(base, anonymousActor)

  // Both hooks take Fastify's callback form with a path that does not wait: a client's next
  // request with the same token, a fresh policy set and a resource known without a lookup is
  // decided without a promise (the async form cost a fifth of a gated read's CPU).
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config
    if (!security.gate) {
      request.ctx = ungated
      request.authorize = () => undefined
      return done()
    }
    request.ctx = anonymous
    if (config.public || config.action === undefined) return done()
    const token = bearerToken(request.headers.authorization)
    const known = token === undefined ? undefined : security.verifier.verifiedBefore(token)
    const identity = known && security.revocations.applyIfFresh(known)
    if (identity) {
      request.identity = identity
      return done()
    }
    authenticate(security, request, reply, token).then(() => done(), done)
  })

  app.addHook('preHandler', (request, _reply, done) => {
    const config = request.routeOptions.config
    const identity = request.identity
    if (!security.gate || config.public || config.action === undefined || !identity) return done()
    const action = config.action
    const authorize = (): Promise<void> | undefined => {
      request.authorize = (a: string, r: RouteResource): void =>
        decideAndAudit(security, request, identity, a, r)
      request.ctx = contextOf(contexts, security, base, identity, action)
      if (config.deferAuthorization) return undefined
      if (!config.resource) {
        enforce(security, request, identity, action, collectionDecision(security, identity, action))
        return undefined
      }
      const route = config.resource(request)
      if (route instanceof Promise) {
        return route.then((r) => decideAndAudit(security, request, identity, action, r))
      }
      decideAndAudit(security, request, identity, action, route)
      return undefined
    }
    let pending: Promise<void> | undefined
    try {
      pending = security.engine.isCurrent()
        ? authorize()
        : security.engine.ensureCurrent().then(authorize)
    } catch (err) {
      return done(err as Error)
    }
    if (pending) pending.then(() => done(), done)
    else done()
  })
}

/** A token's first request (or after the revocation list expired): verify and apply. */
async function authenticate(
  security: Security,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string | undefined,
): Promise<void> {
  const action = request.routeOptions.config.action ?? ''
  try {
    if (token === undefined) {
      throw new ContinuumError(
        'UNAUTHENTICATED',
        'a bearer token is required; run `continuum login`',
        { reason: 'missing' },
      )
    }
    request.identity = await security.revocations.apply(await security.verifier.verify(token))
  } catch (err) {
    if (!(err instanceof ContinuumError)) throw err
    // Failed authentication is limited per address: guessing and floods get 429, and are
    // counted into one audit row per address and route per window, not one row each.
    const wait = security.rateLimiters.unauthenticated.take(request.ip)
    void reply.header('www-authenticate', `Bearer error="invalid_token"`)
    security.audit.record({
      address: request.ip,
      at: new Date(),
      requestId: request.id,
      principal: null,
      action,
      resource: '',
      decision: 'unauthenticated',
      policies: [],
      reason: `${typeof err.details.reason === 'string' ? err.details.reason : 'invalid'}: ${err.message}`,
      method: request.method,
      path: pathOf(request.url),
    })
    if (wait > 0) {
      void reply.header('retry-after', String(wait))
      throw new ContinuumError(
        'RATE_LIMITED',
        `too many unauthenticated requests from this address; retry in ${wait} s`,
        { retryAfterSeconds: wait },
      )
    }
    throw err
  }
}

/** Decides, audits, and throws POLICY_DENIED (or the item's NOT_FOUND when it is invisible). */
function decideAndAudit(
  security: Security,
  request: FastifyRequest,
  identity: Identity,
  action: string,
  route: RouteResource,
): void {
  const decided = decideOn(security, identity, action, toResourceRef(route))
  enforce(security, request, identity, action, decided, route.notFound)
}

/** Audits the decision, and throws POLICY_DENIED (or `notFound`) when it denies. */
function enforce(
  security: Security,
  request: FastifyRequest,
  identity: Identity,
  action: string,
  decided: Decided,
  notFound?: ContinuumError,
): void {
  const { decision, resource, resourceText, reason } = decided
  security.audit.record({
    at: new Date(),
    requestId: request.id,
    principal: identity.principal,
    action,
    resource: resourceText,
    decision: decision.decision,
    policies: decision.policies,
    reason,
    method: request.method,
    path: pathOf(request.url),
  })
  if (decision.decision === 'allow') return
  if (notFound && !mayRead(security, identity, action, resource)) throw notFound
  throw new ContinuumError(
    'POLICY_DENIED',
    `${identity.subject} may not ${action} on ${resourceText}: ${decided.denial}`,
    { action, resource: resourceText, policies: decision.policies, reason: decided.denial },
  )
}

/**
 * The action that decides whether the caller may see the thing at all: its `read`
 * (`workflows.workflow.cancel` → `workflows.workflow.read`, `data.file.download` →
 * `data.file.read`, which storage.create's metadata rights include).
 */
export function readActionOf(action: string): string {
  // Asked on every request for one of a few hundred actions: worked out once each.
  let read = readActions.get(action)
  if (read === undefined) {
    const parsed = parseAction(action)
    read =
      parsed.verb === 'read' || parsed.verb === 'list'
        ? action
        : `${action.split('.').slice(0, -1).join('.')}.read`
    readActions.set(action, read)
  }
  return read
}
const readActions = new Map<string, string>()

function mayRead(
  security: Security,
  identity: Identity,
  action: string,
  resource: ResourceRef,
): boolean {
  const read = readActionOf(action)
  if (read === action) return false
  const decision = security.engine.decide({
    principal: identity,
    action: read,
    resource,
    context: scopeDecision(identity, read, resource),
  })
  return decision.decision === 'allow'
}

/**
 * The use cases' context acting as the caller, kept per identity and read action while the
 * policy set stays the same: a client's requests share one (and its worked-out `sees`).
 */
function contextOf(
  contexts: ContextCache,
  security: Security,
  base: BaseContext,
  identity: Identity,
  action: string,
): Context {
  const read = readActionOf(action)
  let mine = contexts.get(identity)
  if (mine === undefined || mine.version !== security.engine.version) {
    mine = { version: security.engine.version, byRead: new Map() }
    contexts.set(identity, mine)
  }
  let ctx = mine.byRead.get(read)
  if (ctx === undefined) {
    ctx = actingAs(base, actorOf(security, identity, action))
    mine.byRead.set(read, ctx)
  }
  return ctx
}
type ContextCache = WeakMap<Identity, { version: number; byRead: Map<string, Context> }>

/**
 * The caller as use cases see them. `sees` is worked out from the policies on first use (lists
 * need it, most requests do not): every community if the caller may read an item of a community
 * that cannot exist (`*`), else those of their own communities whose items they may read.
 */
function actorOf(security: Security, identity: Identity, action: string): Actor {
  const read = readActionOf(action)
  const probe = (community: string): boolean => {
    const resource: ResourceRef = { type: 'Community', id: community, attrs: { community } }
    return (
      security.engine.decide({
        principal: identity,
        action: read,
        resource,
        context: scopeDecision(identity, read, resource),
      }).decision === 'allow'
    )
  }
  let sees: Actor['sees'] | undefined
  return {
    principal: identity.principal,
    account: identity.subject,
    communities: identity.communities,
    kind: 'user',
    get sees() {
      sees ??= probe('*') ? 'all' : identity.communities.filter(probe)
      return sees
    },
  }
}

/** `Bearer <token>` (the scheme in any case, spaces around the token): the token. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8 || header.charCodeAt(6) !== 32) return undefined
  if (header.slice(0, 6).toLowerCase() !== 'bearer') return undefined
  let start = 7
  while (header.charCodeAt(start) === 32) start++
  let end = header.length
  while (end > start && header.charCodeAt(end - 1) === 32) end--
  const token = header.slice(start, end)
  return token === '' || token.includes(' ') ? undefined : token
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}
