/**
 * The one authorisation gate. On every non-public route:
 *   onRequest   authenticate the bearer token (401 UNAUTHENTICATED before any body is read);
 *   preHandler  build the Cedar request — the route's action, its resource (default: the
 *               route's collection; a route may derive a richer one with `config.resource`),
 *               the WLCG scope facts — decide, audit, and answer 403 POLICY_DENIED with the
 *               determining policies when denied.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Identity } from '../auth/index.js'
import { ContinuumError } from '../platform/index.js'
import { parseAction, scopeGrants, type ResourceRef, type ResourceType } from '../policy/index.js'
import type { Security } from './security.js'

/** What a route's `config.resource` returns; top-level `path`, `community`, `name`, `scope` join `attrs`. */
export interface RouteResource {
  type: ResourceType
  id: string
  attrs?: Record<string, string>
  path?: string
  community?: string
  name?: string
  scope?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Derives the Cedar resource from the validated request (params, query, body). */
    resource?: (request: FastifyRequest) => RouteResource
  }
  interface FastifyRequest {
    identity?: Identity
  }
  interface FastifyInstance {
    security: Security
  }
}

export function installGate(app: FastifyInstance, security: Security): void {
  app.decorate('security', security)
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
  app.addHook('onReady', async () => {
    await security.engine.reload()
  })
  app.addHook('onClose', async () => {
    await security.audit.flush()
  })
  if (!security.gate) return

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config
    if (config.public || config.action === undefined) return
    const token = bearerToken(request.headers.authorization)
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
      void reply.header('www-authenticate', `Bearer error="invalid_token"`)
      security.audit.record({
        at: new Date(),
        requestId: request.id,
        principal: null,
        action: config.action,
        resource: '',
        decision: 'unauthenticated',
        policies: [],
        reason: `${typeof err.details.reason === 'string' ? err.details.reason : 'invalid'}: ${err.message}`,
        method: request.method,
        path: pathOf(request.url),
      })
      throw err
    }
  })

  app.addHook('preHandler', async (request) => {
    const config = request.routeOptions.config
    const identity = request.identity
    if (config.public || config.action === undefined || !identity) return
    const action = config.action
    const resource = resourceOf(request, action)
    const context = {
      capabilityToken: identity.capabilityToken,
      scopeGrants: identity.capabilityToken && scopeGrants(identity.scopes, action, resource),
    }
    await security.engine.ensureCurrent()
    const decision = security.engine.decide({ principal: identity, action, resource, context })
    const resourceText = `${resource.type}::${JSON.stringify(resource.id)}`
    const reason =
      decision.decision === 'allow'
        ? ''
        : decision.policies.length > 0
          ? `forbidden by ${decision.policies.join(', ')}`
          : 'no policy permits this'
    security.audit.record({
      at: new Date(),
      requestId: request.id,
      principal: identity.principal,
      action,
      resource: resourceText,
      decision: decision.decision,
      policies: decision.policies,
      reason: [reason, ...decision.errors].filter((s) => s !== '').join('; '),
      method: request.method,
      path: pathOf(request.url),
    })
    if (decision.decision === 'deny') {
      throw new ContinuumError(
        'POLICY_DENIED',
        `${identity.subject} may not ${action} on ${resourceText}: ${reason}`,
        {
          action,
          resource: resourceText,
          policies: decision.policies,
          reason,
        },
      )
    }
  })
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^Bearer +([^ ]+) *$/i.exec(header)
  return match?.[1]
}

function pathOf(url: string): string {
  return url.split('?')[0] ?? url
}

function resourceOf(request: FastifyRequest, action: string): ResourceRef {
  const derive = request.routeOptions.config.resource
  if (!derive) return { type: 'Collection', id: action.split('.').slice(0, -1).join('.') }
  const r = derive(request)
  const attrs: Record<string, string> = { ...r.attrs }
  for (const key of ['path', 'community', 'name', 'scope'] as const) {
    const value = r[key]
    if (value !== undefined) attrs[key] = value
  }
  return { type: r.type, id: r.id, attrs }
}
