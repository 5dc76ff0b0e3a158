/**
 * Bad input at the edge: every malformed, mistyped, oversized, unknown or dangling request to
 * the catalogue slice gets a 4xx with a stable code and a message naming the field, no request
 * is answered 5xx, and the database is unchanged afterwards.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { errorCatalog, isErrorCode } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { makeInfrastructure } from './support/factories.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'

interface BadRequest {
  name: string
  method: string
  path: string
  body?: unknown
  raw?: string
  contentType?: string
  /** Expected code; and a field the message must name. */
  code: string
  field?: string
}

const valid = makeInfrastructure({ name: 'existing-infra' })
const long = (n: number) => 'x'.repeat(n)

const infraPath = '/catalog/infrastructures'
const bodies: Array<[string, Record<string, unknown>, string, string?]> = [
  ['missing name', { ...valid, name: undefined }, 'VALIDATION_FAILED', 'name'],
  ['missing kind', { ...valid, kind: undefined, name: 'a1' }, 'VALIDATION_FAILED', 'kind'],
  ['missing country', { ...valid, country: undefined, name: 'a2' }, 'VALIDATION_FAILED', 'country'],
  ['unknown field', { ...valid, name: 'a3', colour: 'blue' }, 'VALIDATION_FAILED', 'colour'],
  ['nested unknown field', { ...valid, name: 'a4', extra: { a: 1 } }, 'VALIDATION_FAILED', 'extra'],
  ['name wrong type', { ...valid, name: 42 }, 'VALIDATION_FAILED', 'name'],
  ['name null', { ...valid, name: null }, 'VALIDATION_FAILED', 'name'],
  ['name array', { ...valid, name: ['a'] }, 'VALIDATION_FAILED', 'name'],
  ['name too long', { ...valid, name: long(64) }, 'VALIDATION_FAILED', 'name'],
  ['name empty', { ...valid, name: '' }, 'VALIDATION_FAILED', 'name'],
  ['name upper case', { ...valid, name: 'LUMI' }, 'VALIDATION_FAILED', 'name'],
  ['name with slash', { ...valid, name: 'a/b' }, 'VALIDATION_FAILED', 'name'],
  ['name with dot-dot path', { ...valid, name: '../etc' }, 'VALIDATION_FAILED', 'name'],
  ['name with NUL', { ...valid, name: 'a\u0000b' }, 'VALIDATION_FAILED', 'name'],
  ['name with space', { ...valid, name: 'a b' }, 'VALIDATION_FAILED', 'name'],
  ['name starting with dash', { ...valid, name: '-a' }, 'VALIDATION_FAILED', 'name'],
  ['title too long', { ...valid, name: 'a5', title: long(201) }, 'VALIDATION_FAILED', 'title'],
  ['title empty', { ...valid, name: 'a6', title: '' }, 'VALIDATION_FAILED', 'title'],
  ['kind unknown', { ...valid, name: 'a7', kind: 'Quantum' }, 'VALIDATION_FAILED', 'kind'],
  ['kind lower case', { ...valid, name: 'a8', kind: 'hpc' }, 'VALIDATION_FAILED', 'kind'],
  ['country lower case', { ...valid, name: 'a9', country: 'de' }, 'VALIDATION_FAILED', 'country'],
  [
    'country three letters',
    { ...valid, name: 'b1', country: 'DEU' },
    'VALIDATION_FAILED',
    'country',
  ],
  ['country unknown code', { ...valid, name: 'b2', country: 'XX' }, 'VALIDATION_FAILED', 'country'],
  ['status unknown', { ...valid, name: 'b3', status: 'broken' }, 'VALIDATION_FAILED', 'status'],
  ['url not a url', { ...valid, name: 'b4', url: 'not a url' }, 'VALIDATION_FAILED', 'url'],
  [
    'url javascript scheme',
    { ...valid, name: 'b5', url: 'javascript:alert(1)' },
    'VALIDATION_FAILED',
    'url',
  ],
  [
    'url file scheme',
    { ...valid, name: 'b6', url: 'file:///etc/passwd' },
    'VALIDATION_FAILED',
    'url',
  ],
  [
    'url too long',
    { ...valid, name: 'b7', url: `https://e.org/${long(2048)}` },
    'VALIDATION_FAILED',
    'url',
  ],
  ['url number', { ...valid, name: 'b8', url: 5 }, 'VALIDATION_FAILED', 'url'],
  [
    'operator object',
    { ...valid, name: 'b9', operator: { name: 'x' } },
    'VALIDATION_FAILED',
    'operator',
  ],
  [
    'operator too long',
    { ...valid, name: 'c1', operator: long(201) },
    'VALIDATION_FAILED',
    'operator',
  ],
  [
    'description too long',
    { ...valid, name: 'c2', description: long(4001) },
    'VALIDATION_FAILED',
    'description',
  ],
  [
    'source not http',
    { ...valid, name: 'c3', source: 'ftp://x.org' },
    'VALIDATION_FAILED',
    'source',
  ],
  [
    'partOf dangling',
    { ...valid, name: 'c4', partOf: 'no-such-federation' },
    'REFERENCE_NOT_FOUND',
    'partOf',
  ],
  ['partOf bad grammar', { ...valid, name: 'c5', partOf: '../x' }, 'VALIDATION_FAILED', 'partOf'],
  ['duplicate name', { ...valid }, 'INFRASTRUCTURE_ALREADY_EXISTS', 'existing-infra'],
  ['boolean as kind', { ...valid, name: 'c6', kind: true }, 'VALIDATION_FAILED', 'kind'],
  ['number as title', { ...valid, name: 'c7', title: 7 }, 'VALIDATION_FAILED', 'title'],
]

function requests(): BadRequest[] {
  const out: BadRequest[] = bodies.map(([name, body, code, field]) => ({
    name: `POST ${name}`,
    method: 'POST',
    path: infraPath,
    body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    code,
    ...(field ? { field } : {}),
  }))
  out.push(
    {
      name: 'body is an array',
      method: 'POST',
      path: infraPath,
      body: [valid],
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'body is a string',
      method: 'POST',
      path: infraPath,
      body: 'lumi',
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'body is null',
      method: 'POST',
      path: infraPath,
      raw: 'null',
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'invalid JSON',
      method: 'POST',
      path: infraPath,
      raw: '{"name": "x",',
      code: 'MALFORMED_REQUEST',
    },
    {
      name: 'empty JSON body',
      method: 'POST',
      path: infraPath,
      raw: '',
      code: 'MALFORMED_REQUEST',
    },
    {
      name: 'text/plain body',
      method: 'POST',
      path: infraPath,
      raw: 'name=x',
      contentType: 'text/plain',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'form body',
      method: 'POST',
      path: infraPath,
      raw: 'name=x',
      contentType: 'application/x-www-form-urlencoded',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'oversized body',
      method: 'POST',
      path: infraPath,
      raw: JSON.stringify({ ...valid, name: 'big', description: long(70_000) }),
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'get unknown name',
      method: 'GET',
      path: `${infraPath}/no-such-infra`,
      code: 'INFRASTRUCTURE_NOT_FOUND',
      field: 'no-such-infra',
    },
    {
      name: 'get unknown uuid',
      method: 'GET',
      path: `${infraPath}/01900000-0000-7000-8000-000000000000`,
      code: 'INFRASTRUCTURE_NOT_FOUND',
    },
    {
      name: 'get over-long id',
      method: 'GET',
      path: `${infraPath}/${long(100)}`,
      code: 'VALIDATION_FAILED',
      field: 'params.id',
    },
    {
      name: 'get encoded path trick',
      method: 'GET',
      path: `${infraPath}/..%2F..%2Fetc%2Fpasswd`,
      code: 'VALIDATION_FAILED',
      field: 'params.id',
    },
    {
      name: 'get encoded NUL',
      method: 'GET',
      path: `${infraPath}/a%00b`,
      code: 'VALIDATION_FAILED',
      field: 'params.id',
    },
    {
      name: 'NUL in title',
      method: 'POST',
      path: infraPath,
      body: { ...valid, name: 'nul-title', title: 'a\u0000b' },
      code: 'VALIDATION_FAILED',
      field: 'title',
    },
    {
      name: 'NUL in description',
      method: 'POST',
      path: infraPath,
      body: { ...valid, name: 'nul-desc', description: 'a\u0000b' },
      code: 'VALIDATION_FAILED',
      field: 'description',
    },
    {
      name: 'NUL in operator',
      method: 'POST',
      path: infraPath,
      body: { ...valid, name: 'nul-op', operator: '\u0000' },
      code: 'VALIDATION_FAILED',
      field: 'operator',
    },
    {
      name: 'list limit zero',
      method: 'GET',
      path: `${infraPath}?limit=0`,
      code: 'VALIDATION_FAILED',
      field: 'query.limit',
    },
    {
      name: 'list limit too big',
      method: 'GET',
      path: `${infraPath}?limit=100000`,
      code: 'VALIDATION_FAILED',
      field: 'query.limit',
    },
    {
      name: 'list limit not a number',
      method: 'GET',
      path: `${infraPath}?limit=ten`,
      code: 'VALIDATION_FAILED',
      field: 'query.limit',
    },
    {
      name: 'list unknown filter',
      method: 'GET',
      path: `${infraPath}?colour=red`,
      code: 'VALIDATION_FAILED',
      field: 'query.colour',
    },
    {
      name: 'list bad kind',
      method: 'GET',
      path: `${infraPath}?kind=Grid`,
      code: 'VALIDATION_FAILED',
      field: 'query.kind',
    },
    {
      name: 'list forged cursor',
      method: 'GET',
      path: `${infraPath}?cursor=not-a-cursor`,
      code: 'VALIDATION_FAILED',
      field: 'cursor',
    },
    {
      name: 'list over-long search',
      method: 'GET',
      path: `${infraPath}?q=${long(101)}`,
      code: 'VALIDATION_FAILED',
      field: 'query.q',
    },
    {
      name: 'patch empty',
      method: 'PATCH',
      path: `${infraPath}/existing-infra`,
      body: {},
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'patch name (immutable)',
      method: 'PATCH',
      path: `${infraPath}/existing-infra`,
      body: { name: 'renamed' },
      code: 'VALIDATION_FAILED',
      field: 'name',
    },
    {
      name: 'patch wrong type',
      method: 'PATCH',
      path: `${infraPath}/existing-infra`,
      body: { status: 1 },
      code: 'VALIDATION_FAILED',
      field: 'status',
    },
    {
      name: 'patch unknown record',
      method: 'PATCH',
      path: `${infraPath}/no-such-infra`,
      body: { title: 'x' },
      code: 'INFRASTRUCTURE_NOT_FOUND',
    },
    {
      name: 'patch self-membership',
      method: 'PATCH',
      path: `${infraPath}/existing-infra`,
      body: { partOf: 'existing-infra' },
      code: 'VALIDATION_FAILED',
      field: 'partOf',
    },
    {
      name: 'patch dangling partOf',
      method: 'PATCH',
      path: `${infraPath}/existing-infra`,
      body: { partOf: 'nowhere' },
      code: 'REFERENCE_NOT_FOUND',
      field: 'partOf',
    },
    {
      name: 'delete unknown',
      method: 'DELETE',
      path: `${infraPath}/no-such-infra`,
      code: 'INFRASTRUCTURE_NOT_FOUND',
    },
    {
      name: 'community missing title',
      method: 'POST',
      path: '/catalog/communities',
      body: { name: 'atlas-x' },
      code: 'VALIDATION_FAILED',
      field: 'title',
    },
    {
      name: 'community bad homepage',
      method: 'POST',
      path: '/catalog/communities',
      body: { name: 'atlas-y', title: 'A', homepage: 'nope' },
      code: 'VALIDATION_FAILED',
      field: 'homepage',
    },
    {
      name: 'community unknown',
      method: 'GET',
      path: '/catalog/communities/nobody',
      code: 'COMMUNITY_NOT_FOUND',
    },
    {
      name: 'unknown route',
      method: 'GET',
      path: '/catalog/nothing-here',
      code: 'ROUTE_NOT_FOUND',
    },
    { name: 'wrong method', method: 'PUT', path: infraPath, body: valid, code: 'ROUTE_NOT_FOUND' },
  )
  return out
}

async function snapshot(server: TestServer): Promise<string> {
  const infra = await server.client.catalog.listInfrastructures({ limit: 500 })
  const communities = await server.client.catalog.listCommunities({ limit: 500 })
  return JSON.stringify({ infra: infra.items, communities: communities.items })
}

describeEachBackend('bad input to the catalogue API', (fixture) => {
  let server: TestServer
  let token: string
  before(async () => {
    server = await startTestServer(fixture().database, { bodyLimit: 64 * 1024 })
    token = await server.mintToken({ sub: 'bad-input', groups: [adminGroup] })
    await server.client.catalog.addInfrastructure(valid)
  })
  after(() => server.close())

  it(`answers each of ${requests().length} bad requests with a 4xx and a stable code, and writes nothing`, async () => {
    const all = requests()
    assert.ok(all.length >= 50)
    const before = await snapshot(server)
    for (const r of all) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` }
      let payload: string | undefined
      if (r.raw !== undefined) {
        payload = r.raw
        headers['content-type'] = r.contentType ?? 'application/json'
      } else if (r.body !== undefined) {
        payload = JSON.stringify(r.body)
        headers['content-type'] = 'application/json'
      }
      const response = await fetch(server.url + r.path, {
        method: r.method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      })
      const body = (await response.json()) as {
        error?: { code: string; message: string; requestId?: string }
      }
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${r.name}: status ${response.status} ${JSON.stringify(body)}`,
      )
      assert.ok(body.error, `${r.name}: error body`)
      assert.ok(isErrorCode(body.error.code), `${r.name}: ${body.error.code} is a catalogue code`)
      assert.equal(body.error.code, r.code, `${r.name}: ${body.error.message}`)
      assert.equal(
        response.status,
        errorCatalog[body.error.code].status,
        `${r.name}: status from the catalogue`,
      )
      assert.ok(body.error.requestId, `${r.name}: request id`)
      if (r.field) {
        assert.ok(
          body.error.message.includes(r.field),
          `${r.name}: message '${body.error.message}' names ${r.field}`,
        )
      }
    }
    assert.equal(await snapshot(server), before, 'database unchanged')
  })
})
