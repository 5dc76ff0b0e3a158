/**
 * The attack matrix: forged, stale, misdirected and malformed tokens, scope path escapes, group
 * spoofing, a revoked membership and a replayed device code. Every one is refused (never a 500),
 * every refusal is in the audit log, and no token or secret reaches the log output.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { Writable } from 'node:stream'
import { after, before, it } from 'node:test'
import { SignJWT, exportSPKI, importJWK } from 'jose'
import { BuiltInIssuer } from '../src/auth/index.js'
import { type ContinuumError, createLogger, systemClock } from '../src/platform/index.js'
import { Type } from '../src/contract/index.js'
import { routeSchema } from '../src/api/route-schema.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

describeEachBackend('token attacks at the gate', (fixture) => {
  let server: TestServer
  let logText = ''
  const secrets: string[] = ['test-service-secret']

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logText += chunk.toString()
        done()
      },
    })
    server = await startTestServer(fixture().database, {
      logger: createLogger({ level: 'trace' }, sink),
      routes: (app) => {
        // A data-like route: the resource carries the path the WLCG scopes are matched against.
        const schema = routeSchema({
          operationId: 'testData',
          tags: ['test'],
          summary: 'test',
          querystring: Type.Object({
            path: Type.String(),
            community: Type.Optional(Type.String()),
          }),
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        })
        const resource = (request: { query: unknown }) => {
          const q = request.query as { path: string; community?: string }
          return {
            type: 'DataIdentifier' as const,
            id: `test:${q.path}`,
            path: q.path,
            ...(q.community ? { community: q.community } : {}),
          }
        }
        app.get('/test-data', {
          config: { action: 'data.file.read', resource },
          schema,
          handler: async () => ({ ok: true }),
        })
        app.post('/test-data', {
          config: { action: 'data.file.create', resource },
          schema,
          handler: async () => ({ ok: true }),
        })
      },
    })
  })
  after(() => server.close())

  async function call(
    token: string | undefined,
    name: string,
    options: { method?: string; path?: string } = {},
  ): Promise<{
    status: number
    body: { error?: { code: string; details: Record<string, unknown> } }
  }> {
    if (token) secrets.push(token)
    const headers: Record<string, string> = {
      'x-request-id': `attack-${name}-${fixture().database.backend}`,
    }
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    const response = await fetch(`${server.url}${options.path ?? '/catalog/infrastructures'}`, {
      method: options.method ?? 'GET',
      headers,
    })
    return { status: response.status, body: (await response.json()) as never }
  }

  async function refused(token: string | undefined, name: string, reason?: string): Promise<void> {
    const { status, body } = await call(token, name)
    assert.equal(status, 401, `${name}: ${JSON.stringify(body)}`)
    assert.equal(body.error?.code, 'UNAUTHENTICATED')
    if (reason) assert.equal(body.error?.details.reason, reason, name)
  }

  async function signed(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    const issuer = server.issuer as BuiltInIssuer
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({ iss: issuer.url, aud: 'continuum', iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.keys.current.kid, ...header })
      .sign(issuer.keys.current.privateKey)
  }

  it('accepts a valid token and answers 401 without one', async () => {
    assert.equal((await call(await server.mintToken({ groups: ['/atlas'] }), 'valid')).status, 200)
    await refused(undefined, 'missing', 'missing')
    const { status } = await fetch(`${server.url}/catalog/infrastructures`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    })
    assert.equal(status, 401)
    // The scheme in any case and spaces around the token are accepted (RFC 6750 §2.1, RFC 9110
    // §11.1); a header with anything after the token is not a bearer token.
    const token = await server.mintToken({ groups: ['/atlas'] })
    const answer = async (authorization: string) =>
      (await fetch(`${server.url}/catalog/infrastructures`, { headers: { authorization } })).status
    assert.equal(await answer(`bearer ${token}`), 200)
    assert.equal(await answer(`Bearer   ${token}  `), 200)
    assert.equal(await answer(`Bearer ${token} extra`), 401)
    assert.equal(await answer(`Bearer${token}`), 401)
    assert.equal(await answer('Bearer '), 401)
    // A token cached as verified is not matched by another with the same signature tail.
    const tail = token.slice(-43)
    const parts = token.split('.')
    const forged = `${parts[0]}.${Buffer.from('{"sub":"mallory"}').toString('base64url')}.${parts[2]}`
    assert.equal(forged.slice(-43), tail)
    assert.equal(await answer(`Bearer ${forged}`), 401)
  })

  it('refuses unsigned, algorithm-confused, wrongly signed and unknown-key tokens', async () => {
    const issuer = server.issuer as BuiltInIssuer
    const payload = {
      iss: issuer.url,
      aud: 'continuum',
      sub: 'mallory',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 300,
      'wlcg.groups': ['/continuum/admins'],
    }
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, 'alg-none', 'algorithm')

    // HS256 keyed with the issuer's public key, the classic algorithm confusion.
    const publicPem = await exportSPKI(
      (await importJWK(issuer.jwks().keys[0]!, 'RS256', { extractable: true })) as CryptoKey,
    )
    const hmac = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: issuer.keys.current.kid })
      .sign(new TextEncoder().encode(publicPem))
    await refused(hmac, 'hmac-confusion', 'algorithm')

    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    await refused(
      await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: issuer.keys.current.kid })
        .sign(otherKey),
      'wrong-key',
      'signature',
    )
    await refused(
      await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: 'no-such-kid' })
        .sign(otherKey),
      'unknown-kid',
      'kid',
    )
  })

  it('refuses expired, not-yet-valid, future-issued, wrong issuer, wrong audience and subject-less tokens', async () => {
    await refused(await server.mintToken({ expiresIn: -3600 }), 'expired', 'expired')
    await refused(
      await server.mintToken({ notBefore: new Date(Date.now() + 3_600_000) }),
      'nbf-future',
      'nbf',
    )
    await refused(
      await signed({
        sub: 'x',
        iat: Math.floor(Date.now() / 1000) + 3600,
        exp: Math.floor(Date.now() / 1000) + 7200,
      }),
      'iat-future',
      'iat',
    )
    const evil = await BuiltInIssuer.create({
      url: 'https://evil.example.org',
      clock: systemClock,
      audience: 'continuum',
    })
    await refused(
      await evil.mint({ sub: 'x', groups: ['/continuum/admins'] }),
      'wrong-iss',
      'issuer',
    )
    await refused(
      await server.mintToken({ aud: 'https://other-service.example.org' }),
      'wrong-aud',
      'aud',
    )
    await refused(
      await server.mintToken({ aud: 'https://wlcg.cern.ch/jwt/v1/any' }),
      'any-aud-not-configured',
      'aud',
    )
    await refused(await signed({}), 'missing-sub', 'sub')
    await refused(await server.mintToken({ wlcgVer: '2.0' }), 'wlcg-ver-2', 'wlcg.ver')
  })

  it('refuses tampered payloads, spoofed groups, malformed and oversized tokens', async () => {
    const token = await server.mintToken({ sub: 'eve', groups: ['/atlas'] })
    const [h, p, s] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    await refused(
      `${h}.${b64({ ...claims, 'wlcg.groups': ['/atlas', '/continuum/admins'] })}.${s}`,
      'group-spoofing',
      'signature',
    )
    await refused(`${h}.${b64({ ...claims, sub: 'root' })}.${s}`, 'tampered-sub', 'signature')
    await refused(`${h}.${p}x.${s}`, 'tampered-bytes')
    await refused('abc.d$f.ghi', 'bad-base64', 'malformed')
    await refused('a.b', 'two-parts', 'malformed')
    await refused('e30.e30.', 'empty-json', 'algorithm')
    await refused('!!!.@@@.###', 'garbage', 'malformed')
    await refused(`${h}.${'A'.repeat(10_000)}.${s}`, 'oversized', 'oversized')
  })

  it('matches storage scopes by path component and lets scopes, not groups, decide', async () => {
    const reader = await server.mintToken({
      sub: 'reader',
      scope: 'storage.read:/atlas',
      groups: ['/continuum/admins'],
    })
    const data = (path: string, method = 'GET') =>
      call(reader, `scope-${path}`, { method, path: `/test-data?path=${encodeURIComponent(path)}` })
    assert.equal((await data('/atlas/file.root')).status, 200)
    assert.equal((await data('/atlas')).status, 200)
    for (const escape of [
      '/atlas-private/x',
      '/atlas/../cms/x',
      '/atlas/%2e%2e/cms',
      '/atlas/./x',
      'atlas/x',
      '/cms',
    ]) {
      const { status, body } = await data(escape)
      assert.equal(status, 403, escape)
      assert.equal(body.error?.code, 'POLICY_DENIED')
      assert.deepEqual(
        body.error?.details.policies,
        ['wlcg-capabilities'],
        'the forbid policy is named as the reason',
      )
    }
    assert.equal((await data('/atlas/new', 'POST')).status, 403, 'read does not grant create')
    const writer = await server.mintToken({ sub: 'writer', scope: 'storage.modify:/atlas' })
    assert.equal(
      (await call(writer, 'modify-create', { method: 'POST', path: '/test-data?path=/atlas/new' }))
        .status,
      200,
      'modify implies create',
    )
    // With capability scopes the admin group does not count: the catalogue is not in scope.
    assert.equal((await call(reader, 'scoped-catalog')).status, 403)
  })

  it('stops honouring a revoked community membership while the token is still valid', async () => {
    const alice = await server.mintToken({ sub: 'alice', groups: ['/atlas/production'] })
    const write = () =>
      call(alice, 'revoked', { method: 'POST', path: '/test-data?path=/atlas/a&community=atlas' })
    assert.equal((await write()).status, 200, 'community-write permits members')
    assert.equal(
      (
        await call(alice, 'other-community', {
          method: 'POST',
          path: '/test-data?path=/cms/a&community=cms',
        })
      ).status,
      403,
    )
    await server.client.http.request('POST', '/auth/revocations', {
      body: { issuer: server.url, subject: 'alice', community: 'atlas' },
    })
    const { status, body } = await write()
    assert.equal(status, 403)
    assert.equal(body.error?.code, 'POLICY_DENIED')
  })

  it('exchanges a device code once; a replay is refused and audited', async () => {
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
    const start = (await (
      await fetch(`${server.url}/auth/device_authorization`, form({ client_id: 'continuum-cli' }))
    ).json()) as { device_code: string; user_code: string }
    secrets.push(start.device_code)
    const poll = async () =>
      fetch(
        `${server.url}/auth/token`,
        form({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: start.device_code,
        }),
      )
    const pending = await poll()
    assert.equal(pending.status, 400)
    assert.equal(((await pending.json()) as { error: string }).error, 'authorization_pending')
    const approve = await fetch(
      `${server.url}/auth/device`,
      form({ user_code: start.user_code, user: 'alice' }),
    )
    assert.equal(approve.status, 200)
    const granted = await poll()
    assert.equal(granted.status, 200)
    const token = ((await granted.json()) as { access_token: string }).access_token
    secrets.push(token)
    const replay = await poll()
    assert.equal(replay.status, 400)
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant')
    const again = await fetch(
      `${server.url}/auth/device`,
      form({ user_code: start.user_code, user: 'admin' }),
    )
    assert.equal(again.status, 400, 'an exchanged code cannot be approved again')
    const me = await server.clientAs(null)
    await assert.rejects(
      me.http.request('GET', '/auth/me'),
      (err: ContinuumError) => err.code === 'UNAUTHENTICATED',
    )
    const bad = await fetch(
      `${server.url}/auth/token`,
      form({ grant_type: 'client_credentials', client_id: 'test-service', client_secret: 'wrong' }),
    )
    assert.equal(bad.status, 401)
    const service = await fetch(
      `${server.url}/auth/token`,
      form({
        grant_type: 'client_credentials',
        client_id: 'test-service',
        client_secret: 'test-service-secret',
      }),
    )
    assert.equal(service.status, 200)
    secrets.push(((await service.json()) as { access_token: string }).access_token)
  })

  it('audits every refusal and keeps tokens and secrets out of the logs', async () => {
    const backend = fixture().database.backend
    const entries = []
    for await (const e of paged(server)) entries.push(e)
    const ids = new Set(entries.map((e) => e.requestId))
    for (const name of [
      'missing',
      'alg-none',
      'hmac-confusion',
      'wrong-key',
      'unknown-kid',
      'expired',
      'nbf-future',
      'wrong-iss',
      'wrong-aud',
      'missing-sub',
      'group-spoofing',
      'bad-base64',
      'oversized',
      'wlcg-ver-2',
      'revoked',
      'scoped-catalog',
    ]) {
      assert.ok(ids.has(`attack-${name}-${backend}`), `audit entry for ${name}`)
    }
    const revoked = entries.find(
      (e) => e.requestId === `attack-revoked-${backend}` && e.decision === 'deny',
    )
    assert.ok(revoked, 'the denied request after revocation is audited')
    assert.equal(revoked.principal, `${server.url}#alice`)
    assert.ok(
      entries.some((e) => e.action === 'auth.token.create' && e.reason.startsWith('invalid_grant')),
      'device code replay audited',
    )
    assert.ok(logText.length > 0, 'the logger was used')
    for (const secret of secrets) {
      assert.ok(!logText.includes(secret), 'a token or secret is in the log output')
    }
  })
})

async function* paged(server: TestServer) {
  let cursor: string | undefined
  do {
    const page: {
      items: Array<{
        requestId: string
        decision: string
        principal: string | null
        action: string
        reason: string
      }>
      next: string | null
    } = await server.client.http.request('GET', '/audit', {
      query: { limit: 500, ...(cursor ? { cursor } : {}) },
    })
    yield* page.items
    cursor = page.next ?? undefined
  } while (cursor)
}
