/**
 * The tenancy matrix, generated from one table: every route of /openapi.json × {member of A
 * (atlas), member of B (lofar), admin, anonymous} × {A's item, B's item, an open-data item of a
 * third community} × {group token, narrow capability token, broad capability token, revoked
 * subject} → allow / deny / not-found / unauthenticated. A route missing from the table fails
 * the test, so a new route must say whom it serves.
 *
 * Allowed requests are stopped right after the gate by a test hook (status 299), so the matrix
 * measures the gate's decision on real resources without changing them; what allowed requests
 * then do is the other tests' business (tenancy.test.ts runs them for real).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { describeEachBackend } from './support/backends.js'
import { makeCommunity } from './support/factories.js'
import { makeEndpoint } from './support/data-factories.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'
import {
  matrixTable,
  type Fixtures,
  type RouteClass,
  type Target,
} from './support/tenancy-table.js'

type Who = 'A' | 'B' | 'admin' | 'anonymous'
type TokenKind = 'group' | 'narrow' | 'broad' | 'revoked'
type Outcome = 'allow' | 'deny' | 'hidden' | 'unauth' | 'invalid'

const owner: Record<Target, 'A' | 'B' | 'C'> = { A: 'A', B: 'B', open: 'C' }
const community = { A: 'atlas', B: 'lofar', C: 'cms' } as const

/** What the shipped policies promise, class by class. */
function expected(c: RouteClass, who: Who, token: TokenKind, target: Target): Outcome {
  if (c.kind === 'public') return 'allow'
  if (who === 'anonymous') return 'unauth'
  if (c.kind === 'unchecked') return 'invalid'
  if (who === 'admin') return 'allow'
  const mine = owner[target] === who && token !== 'revoked'
  const capability = token === 'narrow' || token === 'broad'
  switch (c.kind) {
    case 'open':
      return capability && !c.compute ? 'deny' : 'allow'
    case 'admin':
      return 'deny'
    case 'create':
      // Creating for a community (a scope, a workflow): members for their own, nothing hidden.
      if (capability && c.storage && token === 'narrow') return 'deny'
      return mine ? 'allow' : 'deny'
    case 'data': {
      const open = target === 'open'
      if (mine) return 'allow'
      if (open && token !== 'narrow') return c.write ? 'deny' : 'allow'
      return 'hidden'
    }
    case 'community':
      // Items with no namespace path (rules, transfers): group tokens of members only.
      if (capability) return 'hidden'
      return mine ? 'allow' : 'hidden'
    case 'compute':
      return mine ? 'allow' : 'hidden'
    default:
      return 'deny'
  }
}

const statusOf: Record<Outcome, number[]> = {
  // 299: stopped right after the gate; 201: a deferred decision ran (a dry-run submission).
  allow: [299, 201],
  deny: [403],
  hidden: [404],
  unauth: [401],
  invalid: [400],
}

describeEachBackend('tenancy matrix', (fixture) => {
  let server: TestServer
  let admin: ContinuumClient
  const fx = {} as Fixtures
  const tokens = new Map<string, string | undefined>()

  before(async () => {
    server = await startTestServer(fixture().database, {
      routes: (app) => {
        // After the gate: an allowed request stops here, so nothing it would do happens.
        app.addHook('preHandler', async (request, reply) => {
          // Routes that decide in their handler (deferAuthorization) run: the table gives them
          // requests that change nothing (a dry-run submission).
          if (request.routeOptions.config.deferAuthorization) return
          if (request.headers['x-matrix'] === 'dry') return reply.code(299).send({ allowed: true })
        })
      },
    })
    admin = server.client
    for (const name of ['atlas', 'lofar', 'cms']) {
      await admin.catalog.addCommunity(makeCommunity({ name }))
    }
    const endpoint = await admin.data.addEndpoint(makeEndpoint())
    fx.endpoint = endpoint.name
    fx.scopes = { A: 'atlas', B: 'lofar', open: 'open' }
    await admin.data.addScope({ name: 'atlas', community: 'atlas' })
    await admin.data.addScope({ name: 'lofar', community: 'lofar' })
    await admin.data.addScope({ name: 'open', community: 'cms', public: true })
    fx.rules = {} as Fixtures['rules']
    fx.transfers = {} as Fixtures['transfers']
    fx.workflows = {} as Fixtures['workflows']
    for (const t of ['A', 'B', 'open'] as const) {
      const scope = fx.scopes[t]
      await admin.data.addDid({ scope, name: 'f', type: 'file', bytes: 10, adler32: '0a0b0c0d' })
      await admin.data.addDid({ scope, name: 'ds', type: 'dataset' })
      const rule = await admin.data.addRule({
        scope,
        name: 'f',
        copies: 1,
        expression: fx.endpoint,
      })
      fx.rules[t] = rule.id
      const transfers = await admin.transfers.list({ scope, name: 'f' })
      fx.transfers[t] = transfers[0]?.id ?? assert.fail(`no transfer queued for ${scope}:f`)
    }
    for (const t of ['A', 'B'] as const) {
      const wf = await admin.workflows.submit({
        source: `name: m\ncommunity: ${community[t]}\ntasks:\n  - name: t\n    command: [true]\n`,
      })
      fx.workflows[t] = wf.id
    }
    const issuer = server.issuer?.url ?? ''
    for (const [sub, c] of [
      ['revoked-A', 'atlas'],
      ['revoked-B', 'lofar'],
    ] as const) {
      await admin.auth.revoke({ issuer, subject: sub, community: c })
    }
    const compute = 'compute.read compute.create compute.modify compute.cancel'
    for (const who of ['A', 'B'] as const) {
      const groups = [`/${community[who]}`]
      const own = `/${community[who]}`
      tokens.set(`${who}/group`, await server.mintToken({ sub: `member-${who}`, groups }))
      tokens.set(
        `${who}/narrow`,
        await server.mintToken({
          sub: `member-${who}`,
          groups,
          scope: `storage.read:${own} storage.modify:${own} ${compute}`,
        }),
      )
      tokens.set(
        `${who}/broad`,
        await server.mintToken({
          sub: `member-${who}`,
          groups,
          scope: `storage.read:/ storage.create:/ storage.modify:/ storage.stage:/ ${compute}`,
        }),
      )
      tokens.set(`${who}/revoked`, await server.mintToken({ sub: `revoked-${who}`, groups }))
    }
    tokens.set('admin/group', await server.mintToken({ sub: 'matrix-admin', groups: [adminGroup] }))
    tokens.set('anonymous/group', undefined)
  })
  after(async () => server?.close())

  it('has an entry for every route of the API', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId))
    const missing = ops.filter((op) => !(op in matrixTable))
    assert.deepEqual(missing, [], 'routes the tenancy table does not classify')
    const stale = Object.keys(matrixTable).filter((op) => !ops.includes(op))
    assert.deepEqual(stale, [], 'table entries for routes that no longer exist')
  })

  it('decides every route for every caller, item and token as the table says', async () => {
    const failures: string[] = []
    let cases = 0
    for (const [op, entry] of Object.entries(matrixTable)) {
      const perItem = ['data', 'community', 'compute', 'create'].includes(entry.class.kind)
      for (const target of entry.targets ??
        (perItem ? (['A', 'B', 'open'] as const) : ['A' as const])) {
        const request = entry.request(fx, target)
        for (const [key, token] of tokens) {
          const [who, kind] = key.split('/') as [Who, TokenKind]
          const want = expected(entry.class, who, kind, target)
          const res = await server.app.inject({
            method: request.method,
            url: request.url,
            headers: {
              'x-matrix': 'dry',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
          })
          cases++
          if (!statusOf[want].includes(res.statusCode)) {
            failures.push(
              `${op} ${target} as ${key}: expected ${want}, got ${res.statusCode} ${res.body.slice(0, 160)}`,
            )
          }
        }
      }
    }
    assert.ok(cases > 1000, `only ${cases} cases`)
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${cases} cases differ:\n${failures.slice(0, 60).join('\n')}`,
    )
  })
})
