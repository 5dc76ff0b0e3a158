/** The namespace end to end over HTTP: scopes, DIDs, attachments, metadata, paging, bad input. */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { makeCommunity } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('data namespace over HTTP', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let scope: string
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    client = server.client
    scope = uniqueScope()
    await client.data.addScope({ name: scope })
  })
  after(() => server.close())

  it('adds scopes owned by a catalogue community and refuses duplicates and bad names', async () => {
    const community = await client.catalog.addCommunity(makeCommunity())
    const s = await client.data.addScope({ name: uniqueScope('atlas'), community: community.name })
    assert.equal(s.community, community.name)
    assert.ok((await client.data.listScopes()).some((x) => x.name === s.name))
    await rejectsWith(client.data.addScope({ name: s.name }), 'SCOPE_ALREADY_EXISTS')
    await rejectsWith(client.data.addScope({ name: 'a..b' }), 'DID_INVALID')
    await rejectsWith(
      client.data.addScope({ name: uniqueScope(), community: 'no-such-community' }),
      'COMMUNITY_NOT_FOUND',
    )
    await rejectsWith(
      client.data.addDid({ scope: uniqueScope(), name: 'f', type: 'file' }),
      'SCOPE_NOT_FOUND',
    )
  })

  it('creates files, datasets and containers with metadata and the namespace path', async () => {
    const file = await client.data.addDid({
      scope,
      name: 'run1.raw',
      type: 'file',
      bytes: 10,
      adler32: '0a0b0c0d',
      meta: { run: 1001, stream: 'physics' },
    })
    assert.equal(file.path, `/${scope}/run1.raw`)
    assert.equal(file.status, 'open')
    // Created as the caller: their account and principal, never a default 'root'.
    assert.equal(file.account, 'test-admin')
    assert.match(file.createdBy ?? '', /#test-admin$/)
    assert.deepEqual(await client.data.getDid({ scope, name: 'run1.raw' }), file)
    await rejectsWith(
      client.data.addDid({ scope, name: 'ds1', type: 'dataset', bytes: 3 }),
      'VALIDATION_FAILED',
      'files',
    )
    await rejectsWith(
      client.data.addDid({ scope, name: 'run1.raw', type: 'dataset' }),
      'DID_ALREADY_EXISTS',
    )
  })

  it('refuses path tricks and malformed identifiers before touching anything', async () => {
    for (const name of ['..', 'a..b', '.hidden', '-x', 'a b', 'a\u0000b', 'x'.repeat(251)]) {
      await rejectsWith(
        client.data.addDid({ scope, name, type: 'file' }),
        name.length > 250 ? 'VALIDATION_FAILED' : 'DID_INVALID',
      )
    }
    // A '/' reaches the route as an extra path segment, never as part of a name.
    await rejectsWith(client.http.request('GET', `/data/dids/${scope}/a%2F..%2Fb`), 'DID_INVALID')
    await rejectsWith(client.data.getDid({ scope, name: 'nothing-here' }), 'DID_NOT_FOUND')
    await rejectsWith(
      client.http.request('POST', '/data/dids', { body: { scope, name: 'x', type: 'folder' } }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.http.request('POST', '/data/dids', {
        body: { scope, name: 'x', type: 'file', bytes: -1 },
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.http.request('POST', '/data/dids', {
        body: { scope, name: 'x', type: 'file', meta: { 'bad key': 1 } },
      }),
      'VALIDATION_FAILED',
    )
    const listed = await client.data.listDids({ scope, name: 'x' })
    assert.equal(listed.items.length, 0, 'nothing was created')
  })

  it('attaches files to datasets and datasets to containers, refusing wrong types and cycles', async () => {
    const ds = await client.data.addDid({ scope, name: 'ds.attach', type: 'dataset' })
    const c1 = await client.data.addDid({ scope, name: 'c1', type: 'container' })
    const c2 = await client.data.addDid({ scope, name: 'c2', type: 'container' })
    for (const n of ['a1', 'a2', 'a3']) await client.data.addDid({ scope, name: n, type: 'file' })
    assert.deepEqual(
      await client.data.attach(ds, [
        { scope, name: 'a1' },
        { scope, name: 'a2' },
      ]),
      { attached: 2 },
    )
    assert.deepEqual(
      await client.data.attach(ds, [{ scope, name: 'a1' }]),
      { attached: 0 },
      'idempotent',
    )
    await client.data.attach(c1, [ds, c2])
    await rejectsWith(client.data.attach(c2, [c1]), 'DID_ATTACHMENT_INVALID', 'cycle')
    await rejectsWith(client.data.attach(c2, [c2]), 'DID_ATTACHMENT_INVALID', 'cycle')
    await rejectsWith(
      client.data.attach(ds, [c2]),
      'DID_ATTACHMENT_INVALID',
      'dataset cannot hold a container',
    )
    await rejectsWith(
      client.data.attach(c1, [{ scope, name: 'a3' }]),
      'DID_ATTACHMENT_INVALID',
      'container cannot hold a file',
    )
    await rejectsWith(
      client.data.attach({ scope, name: 'a3' }, [{ scope, name: 'a1' }]),
      'DID_ATTACHMENT_INVALID',
    )
    await rejectsWith(
      client.data.attach(ds, [
        { scope, name: 'a3' },
        { scope, name: 'missing' },
      ]),
      'DID_NOT_FOUND',
    )
    const content = await client.data.listContent(ds)
    assert.deepEqual(
      content.items.map((d) => d.name),
      ['a1', 'a2'],
      'all or nothing: a3 was not attached',
    )

    assert.deepEqual(await client.data.detach(ds, [{ scope, name: 'a2' }]), { detached: 1 })
    await client.data.updateDid(ds, { status: 'closed' })
    await rejectsWith(client.data.attach(ds, [{ scope, name: 'a3' }]), 'DID_CLOSED')
    await rejectsWith(client.data.detach(ds, [{ scope, name: 'a1' }]), 'DID_CLOSED')
    await rejectsWith(
      client.data.updateDid({ scope, name: 'a1' }, { status: 'closed' }),
      'VALIDATION_FAILED',
    )
  })

  it('keeps monotonic collections growing only', async () => {
    const ds = await client.data.addDid({
      scope,
      name: 'ds.mono',
      type: 'dataset',
      monotonic: true,
    })
    await client.data.addDid({ scope, name: 'm1', type: 'file' })
    await client.data.attach(ds, [{ scope, name: 'm1' }])
    await rejectsWith(client.data.detach(ds, [{ scope, name: 'm1' }]), 'DID_CLOSED', 'monotonic')
  })

  it('never reuses a name, even after deletion', async () => {
    const ds = await client.data.addDid({ scope, name: 'ds.del', type: 'dataset' })
    await client.data.addDid({ scope, name: 'd1', type: 'file' })
    await client.data.attach(ds, [{ scope, name: 'd1' }])
    await client.data.deleteDid({ scope, name: 'd1' })
    await rejectsWith(client.data.getDid({ scope, name: 'd1' }), 'DID_NOT_FOUND')
    assert.equal((await client.data.listContent(ds)).items.length, 0, 'deletion detaches')
    await rejectsWith(
      client.data.addDid({ scope, name: 'd1', type: 'file' }),
      'DID_ALREADY_EXISTS',
      'never reused',
    )
  })

  it('filters by name pattern, type and metadata, paged without loading everything', async () => {
    const s = uniqueScope('meta')
    await client.data.addScope({ name: s })
    for (let i = 0; i < 12; i++) {
      await client.data.addDid({
        scope: s,
        name: `evt_${String(i).padStart(2, '0')}`,
        type: 'file',
        meta: { run: 995 + i, stream: i % 2 ? 'physics' : 'calib', good: i % 3 === 0 },
      })
    }
    await client.data.addDid({
      scope: s,
      name: 'evt_ds',
      type: 'dataset',
      meta: { run: 'not-a-number' },
    })
    const names = async (query: { name?: string; type?: 'file' | 'dataset'; filter?: string }) => {
      const out: string[] = []
      let cursor: string | undefined
      do {
        const page = await client.data.listDids({ scope: s, limit: 5, cursor, ...query })
        assert.ok(page.items.length <= 5)
        out.push(...page.items.map((d) => d.name))
        cursor = page.next ?? undefined
      } while (cursor)
      return out
    }
    assert.equal((await names({})).length, 13)
    assert.equal((await names({ type: 'dataset' })).join(), 'evt_ds')
    assert.deepEqual(await names({ filter: 'run>1004' }), ['evt_10', 'evt_11'])
    assert.deepEqual(await names({ filter: 'run>=1000,run<1002,stream=physics' }), ['evt_05'])
    assert.equal(
      (await names({ filter: 'stream!=physics' })).length,
      7,
      'includes the dataset, which has no stream',
    )
    assert.deepEqual(await names({ filter: 'good=true', name: 'evt_0*' }), [
      'evt_00',
      'evt_03',
      'evt_06',
      'evt_09',
    ])
    assert.deepEqual(await names({ name: 'evt_1*' }), ['evt_10', 'evt_11'])
    assert.deepEqual(await names({ name: 'evt%' }), [], "'%' is literal, not a wildcard")
    await rejectsWith(
      client.data.listDids({ scope: s, filter: 'run>many' }),
      'VALIDATION_FAILED',
      'number',
    )
    await rejectsWith(client.data.listDids({ scope: s, filter: 'run' }), 'VALIDATION_FAILED')
    await rejectsWith(
      client.data.listDids({ scope: s, cursor: 'garbage' }),
      'VALIDATION_FAILED',
      'cursor',
    )
  })

  it('updates metadata keys and removes keys set to null', async () => {
    const d = await client.data.addDid({
      scope,
      name: 'm.upd',
      type: 'file',
      meta: { a: 1, b: 'x' },
    })
    fixture().clock.advance(1000)
    const u = await client.data.updateDid(d, { meta: { a: null, c: true } })
    assert.deepEqual(u.meta, { b: 'x', c: true })
    assert.notEqual(u.updatedAt, d.updatedAt)
  })
})
