/** The catalogue slice end to end: client → API → service → store, on both backends. */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { ContinuumClient } from '../src/client/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { makeCommunity, makeInfrastructure, uniqueName } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('catalogue infrastructures over HTTP', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    client = server.client
  })
  after(() => server.close())

  it('adds an infrastructure and reads it back by name and by id', async () => {
    const input = makeInfrastructure({
      kind: 'HTC',
      country: 'IT',
      description: 'INFN Tier-1',
      source: 'https://www.cnaf.infn.it/',
    })
    const created = await client.catalog.addInfrastructure(input)
    assert.match(created.id, /^[0-9a-f-]{36}$/)
    assert.equal(created.id[14], '7', 'ids are UUIDv7')
    assert.equal(created.status, 'operational', 'status defaults to operational')
    assert.equal(
      created.createdAt,
      '2026-03-01T12:00:00.000Z',
      'timestamps come from the injected clock',
    )
    assert.deepEqual(await client.catalog.getInfrastructure(input.name), created)
    assert.deepEqual(await client.catalog.getInfrastructure(created.id), created)
  })

  it('refuses a duplicate name and keeps the first record', async () => {
    const input = makeInfrastructure()
    const first = await client.catalog.addInfrastructure(input)
    await rejectsWith(
      client.catalog.addInfrastructure({ ...input, title: 'Other' }),
      'INFRASTRUCTURE_ALREADY_EXISTS',
      input.name,
    )
    assert.equal((await client.catalog.getInfrastructure(input.name)).title, first.title)
  })

  it('links members to their federation and refuses cycles and dangling references', async () => {
    const federation = await client.catalog.addInfrastructure(
      makeInfrastructure({ kind: 'HTC', name: uniqueName('fed') }),
    )
    const member = await client.catalog.addInfrastructure(
      makeInfrastructure({ partOf: federation.name }),
    )
    assert.equal(member.partOf, federation.name)

    const err = await rejectsWith(
      client.catalog.addInfrastructure(makeInfrastructure({ partOf: 'no-such-federation' })),
      'REFERENCE_NOT_FOUND',
      'partOf',
    )
    assert.equal(err.details.field, 'partOf')
    await rejectsWith(
      client.catalog.updateInfrastructure(federation.name, { partOf: member.name }),
      'VALIDATION_FAILED',
      'cycle',
    )
    await rejectsWith(
      client.catalog.updateInfrastructure(member.name, { partOf: member.name }),
      'VALIDATION_FAILED',
      'cycle',
    )

    const members = await client.catalog.listInfrastructures({ partOf: federation.name })
    assert.deepEqual(
      members.items.map((i) => i.name),
      [member.name],
    )

    await rejectsWith(client.catalog.deleteInfrastructure(federation.name), 'INFRASTRUCTURE_IN_USE')
    assert.equal(
      (await client.catalog.getInfrastructure(federation.name)).id,
      federation.id,
      'nothing deleted',
    )
    await client.catalog.updateInfrastructure(member.name, { partOf: null })
    await client.catalog.deleteInfrastructure(federation.name)
    await rejectsWith(client.catalog.getInfrastructure(federation.name), 'INFRASTRUCTURE_NOT_FOUND')
  })

  it('updates only the given fields and moves updatedAt', async () => {
    const created = await client.catalog.addInfrastructure(
      makeInfrastructure({ status: 'planned' }),
    )
    fixture().clock.advance(60_000)
    const updated = await client.catalog.updateInfrastructure(created.name, {
      status: 'operational',
      url: null,
    })
    assert.equal(updated.status, 'operational')
    assert.equal(updated.url, null)
    assert.equal(updated.title, created.title)
    assert.equal(updated.createdAt, created.createdAt)
    assert.notEqual(updated.updatedAt, created.updatedAt)
  })

  it('lists with filters and keyset paging that visits every record once', async () => {
    const tag = uniqueName('page')
    const names = Array.from({ length: 7 }, (_, i) => `${tag}-${i}`)
    for (const [i, name] of names.entries()) {
      await client.catalog.addInfrastructure(
        makeInfrastructure({ name, kind: i % 2 ? 'Cloud' : 'Data', country: 'FR' }),
      )
    }
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await client.catalog.listInfrastructures({ q: tag, limit: 3, cursor })
      assert.ok(page.items.length <= 3)
      seen.push(...page.items.map((i) => i.name))
      cursor = page.next ?? undefined
      pages++
    } while (cursor)
    assert.deepEqual(seen, [...names].sort())
    assert.equal(pages, 3)

    const clouds = await client.catalog.listInfrastructures({ q: tag, kind: 'Cloud' })
    assert.deepEqual(
      clouds.items.map((i) => i.name),
      names.filter((_, i) => i % 2),
    )
    assert.equal(
      (await client.catalog.listInfrastructures({ q: tag, country: 'DE' })).items.length,
      0,
    )

    const all: string[] = []
    for await (const item of ContinuumClient.pages((q) => client.catalog.listInfrastructures(q), {
      q: tag,
      limit: 2,
    })) {
      all.push(item.name)
    }
    assert.equal(all.length, 7)
  })

  it('treats search text literally, not as a LIKE pattern', async () => {
    await client.catalog.addInfrastructure(makeInfrastructure({ title: 'Percent 100% Cloud' }))
    const hits = await client.catalog.listInfrastructures({ q: '_' })
    assert.ok(hits.items.every((i) => i.name.includes('_') || i.title.includes('_')))
  })

  it('manages communities through the same pattern', async () => {
    const input = makeCommunity({ field: 'Radio Astronomy', homepage: 'https://www.lofar.eu' })
    const created = await client.catalog.addCommunity(input)
    assert.deepEqual(await client.catalog.getCommunity(created.id), created)
    await rejectsWith(client.catalog.addCommunity(input), 'COMMUNITY_ALREADY_EXISTS')
    const updated = await client.catalog.updateCommunity(input.name, {
      field: null,
      description: 'LOFAR2.0 users',
    })
    assert.equal(updated.field, null)
    assert.equal(updated.description, 'LOFAR2.0 users')
    const listed = await client.catalog.listCommunities({ q: input.name })
    assert.deepEqual(
      listed.items.map((c) => c.name),
      [input.name],
    )
    await client.catalog.deleteCommunity(input.name)
    await rejectsWith(client.catalog.getCommunity(input.name), 'COMMUNITY_NOT_FOUND')
  })

  it('answers health, readiness and an OpenAPI 3.1 document describing every route', async () => {
    assert.equal((await client.health()).status, 'ok')
    const ready = await client.readiness()
    assert.equal(ready.backend, fixture().database.backend)
    const doc = await client.http.request<{
      openapi: string
      paths: Record<
        string,
        Record<string, { operationId?: string; responses: Record<string, unknown> }>
      >
    }>('GET', '/openapi.json')
    assert.match(doc.openapi, /^3\.1\.\d+$/)
    for (const path of [
      '/catalog/infrastructures',
      '/catalog/infrastructures/{id}',
      '/catalog/communities',
      '/catalog/communities/{id}',
      '/healthz',
      '/readyz',
    ]) {
      assert.ok(doc.paths[path], `${path} documented`)
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        assert.ok(op.operationId, `${method} ${path} has an operationId`)
        assert.ok(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${method} ${path} documents its success response`,
        )
        assert.ok(
          op.responses['4XX'] ?? op.responses['4xx'],
          `${method} ${path} documents its errors`,
        )
      }
    }
  })
})
