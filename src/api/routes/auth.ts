/**
 * Identity routes: who am I, revoked memberships, and — when the built-in issuer runs — OIDC
 * discovery, the JWKS, the token endpoint (device code and client credentials grants), device
 * authorisation and its verification page. The OAuth endpoints answer in RFC 6749 form.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import {
  approveDevice,
  deviceGrantType,
  exchangeDeviceCode,
  PollPacer,
  findPendingDevice,
  OAuthError,
  startDeviceAuthorization,
  type BuiltInIssuer,
} from '../../auth/index.js'
import {
  DeviceAuthorizationSchema,
  IdSchema,
  RevocationCreateSchema,
  RevocationListSchema,
  RevocationSchema,
  TokenResponseSchema,
  Type,
  WhoAmISchema,
  type RevocationCreate,
} from '../../contract/index.js'
import { actingAs, type BaseContext, type Context } from '../../db/index.js'
import { ContinuumError, systemActor } from '../../platform/index.js'
import { routeSchema } from '../route-schema.js'
import type { Security } from '../security.js'

const tags = ['auth']
const formOrJson = Type.Object(
  {},
  { additionalProperties: Type.String({ maxLength: 4096 }), maxProperties: 20 },
)
const anyBody = Type.Unsafe<unknown>({
  description: 'OAuth error `{error, error_description}` (RFC 6749 §5.2) or a Continuum error body',
})

export function authRoutes(
  app: FastifyInstance,
  { ctx, security }: { ctx: BaseContext; security: Security },
): void {
  app.get('/auth/me', {
    config: { action: 'auth.identity.read' },
    schema: routeSchema({
      operationId: 'whoAmI',
      tags,
      summary: 'The identity of the presented token, as the gate sees it',
      response: { 200: WhoAmISchema },
    }),
    handler: async (request) => {
      const id = request.identity
      if (!id) throw new ContinuumError('UNAUTHENTICATED', 'no identity (the gate is off)')
      return {
        principal: id.principal,
        issuer: id.issuer,
        subject: id.subject,
        groups: id.groups,
        communities: id.communities,
        scopes: [
          ...id.scopes.storage.map((s) => `${s.capability}:${s.path}`),
          ...id.scopes.compute,
        ],
        capabilityToken: id.capabilityToken,
        expiresAt: id.expiresAt.toISOString(),
      }
    },
  })
  app.get('/auth/revocations', {
    config: { action: 'auth.revocation.list' },
    schema: routeSchema({
      operationId: 'listRevocations',
      tags,
      summary: 'Revoked community memberships',
      response: { 200: RevocationListSchema },
    }),
    handler: async () => ({ items: await security.revocations.list() }),
  })
  app.post<{ Body: RevocationCreate }>('/auth/revocations', {
    config: { action: 'auth.revocation.create' },
    schema: routeSchema({
      operationId: 'addRevocation',
      tags,
      summary: "Revoke a subject's membership of a community before their tokens expire",
      body: RevocationCreateSchema,
      response: { 201: RevocationSchema },
    }),
    handler: async (request, reply) =>
      reply
        .status(201)
        .send(
          await security.revocations.add(request.body, request.identity?.principal ?? 'anonymous'),
        ),
  })
  app.delete<{ Params: { id: string } }>('/auth/revocations/:id', {
    config: { action: 'auth.revocation.delete' },
    schema: routeSchema({
      operationId: 'deleteRevocation',
      tags,
      summary: 'Reinstate a revoked membership',
      params: Type.Object({ id: IdSchema }),
      response: { 204: Type.Null() },
    }),
    handler: async (request, reply) => {
      await security.revocations.remove(request.params.id)
      return reply.status(204).send()
    },
  })
  const issuer = security.issuer
  // In a plugin of their own, so that the form-encoded body parser applies to these routes only.
  if (issuer) {
    void app.register(async (scope) =>
      builtInIssuerRoutes(scope, actingAs(ctx, systemActor('issuer')), security, issuer),
    )
  }
}

function builtInIssuerRoutes(
  app: FastifyInstance,
  ctx: Context,
  security: Security,
  issuer: BuiltInIssuer,
): void {
  const publicConfig = (action: string) => ({ action, public: true })
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    },
  )

  app.get('/.well-known/openid-configuration', {
    config: publicConfig('auth.discovery.read'),
    schema: routeSchema({
      operationId: 'getOpenIdConfiguration',
      tags,
      summary: 'OIDC discovery of the built-in issuer',
      response: { 200: Type.Object({}, { additionalProperties: true }) },
    }),
    handler: async () => issuer.discovery(),
  })
  app.get('/auth/jwks', {
    config: publicConfig('auth.jwks.read'),
    schema: routeSchema({
      operationId: 'getJwks',
      tags,
      summary: 'Public keys of the built-in issuer',
      response: {
        200: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }),
      },
    }),
    handler: async () => issuer.jwks(),
  })
  const limits = security.rateLimiters
  const pacer = new PollPacer()
  app.post<{ Body: Record<string, string> }>('/auth/device_authorization', {
    config: publicConfig('auth.device.create'),
    preHandler: limits.deviceAuthorization.hook('device authorisation'),
    schema: routeSchema({
      operationId: 'startDeviceAuthorization',
      tags,
      summary: 'RFC 8628 device authorisation request',
      body: formOrJson,
      response: { 200: DeviceAuthorizationSchema },
    }),
    handler: async (request) =>
      startDeviceAuthorization(request.ctx, issuer, {
        clientId: (request.body.client_id ?? 'continuum-cli').slice(0, 200),
        scope: (request.body.scope ?? '').slice(0, 2000),
      }),
  })
  app.post<{ Body: Record<string, string> }>('/auth/token', {
    config: publicConfig('auth.token.create'),
    preHandler: limits.token.hook('token'),
    schema: routeSchema({
      operationId: 'getToken',
      tags,
      summary: 'Token endpoint: device code and client credentials grants',
      body: formOrJson,
      response: { 200: TokenResponseSchema, 400: anyBody, 401: anyBody },
    }),
    handler: async (request, reply) => {
      const body = request.body
      try {
        if (body.grant_type === deviceGrantType && body.device_code) {
          return await exchangeDeviceCode(request.ctx, issuer, body.device_code, pacer)
        }
        if (body.grant_type === 'client_credentials') {
          const granted = await issuer.clientCredentials(
            body.client_id ?? '',
            body.client_secret ?? '',
            body.scope?.slice(0, 2000),
          )
          if (!granted) {
            throw new OAuthError('invalid_client', 'unknown client or wrong secret', 401)
          }
          return {
            access_token: granted.token,
            token_type: 'Bearer' as const,
            expires_in: issuer.tokenLifetimeSeconds,
            scope: granted.scope,
          }
        }
        throw new OAuthError('unsupported_grant_type', 'supported: device_code, client_credentials')
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err
        if (err.error !== 'authorization_pending' && err.error !== 'slow_down') {
          security.audit.record({
            at: new Date(),
            requestId: request.id,
            principal: null,
            action: 'auth.token.create',
            resource: '',
            decision: 'deny',
            policies: [],
            reason: `${err.error}: ${err.description}`,
            method: request.method,
            path: '/auth/token',
          })
        }
        return sendOAuthError(reply, err)
      }
    },
  })
  app.get<{ Querystring: { user_code?: string } }>('/auth/device', {
    config: publicConfig('auth.device.read'),
    schema: routeSchema({
      operationId: 'deviceVerificationPage',
      tags,
      summary: 'Verification page where a person approves a device login',
      querystring: Type.Object({ user_code: Type.Optional(Type.String({ maxLength: 20 })) }),
      response: { 200: Type.String() },
    }),
    handler: async (request, reply) => {
      const code = request.query.user_code ?? ''
      const pending = code !== '' && (await findPendingDevice(request.ctx, code))
      return reply
        .type('text/html; charset=utf-8')
        .send(verificationPage(code, pending, Object.keys(issuer.demoUsers)))
    },
  })
  app.post<{ Body: Record<string, string> }>('/auth/device', {
    config: publicConfig('auth.device.approve'),
    preHandler: limits.deviceApproval.hook('device approval'),
    schema: routeSchema({
      operationId: 'approveDevice',
      tags,
      summary: 'Approve a device login as a user of the built-in issuer (demo)',
      body: formOrJson,
      response: { 200: Type.Object({ approved: Type.Boolean(), subject: Type.String() }) },
    }),
    handler: async (request, reply) => {
      const result = await approveDevice(request.ctx, issuer, {
        userCode: request.body.user_code ?? '',
        user: request.body.user ?? '',
      })
      // The verification page's form is posted by a browser: answer it with a page, not JSON.
      if (request.headers.accept?.includes('text/html')) {
        return reply.type('text/html; charset=utf-8').send(approvedPage(result.subject))
      }
      return { approved: true, subject: result.subject }
    },
  })
}

function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  return reply
    .status(err.status)
    .header('cache-control', 'no-store')
    .send({ error: err.error, error_description: err.description })
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function approvedPage(subject: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Continuum login approved</title></head><body>
<h1>Login approved</h1><p>Signed in as <b>${escapeHtml(subject)}</b>. The device or page that showed you the code
continues by itself; you can close this tab.</p></body></html>`
}

function verificationPage(code: string, pending: boolean, users: string[]): string {
  const options = users.map((u) => `<option>${escapeHtml(u)}</option>`).join('')
  const status =
    code === ''
      ? ''
      : pending
        ? '<p>Code found. Choose who you are and approve.</p>'
        : '<p><b>This code is unknown, expired or already used.</b></p>'
  return `<!doctype html><html><head><meta charset="utf-8"><title>Continuum login</title></head><body>
<h1>Continuum device login</h1>${status}
<form method="post" action="/auth/device"><label>Code <input name="user_code" value="${escapeHtml(code)}"></label>
<label>User <select name="user">${options}</select></label> <button>Approve</button></form>
<p>This is the built-in issuer of an embedded or demo installation. Production installations use their community's identity provider.</p>
</body></html>`
}
