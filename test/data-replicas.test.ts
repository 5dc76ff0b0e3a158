/** Storage endpoints, expressions over the API, and bulk replica registration, on both backends. */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createDemoEndpoints, deterministicPath } from '../src/data/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import {
  fakeAdler32,
  makeEndpoint,
  uniqueEndpointName,
  uniqueScope,
} from './support/data-factories.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('storage endpoints and replicas over HTTP', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let scope: string
  const tag = `T${Math.random().toString(36).slice(2, 8)}`
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    client = server.client
    scope = uniqueScope()
    await client.data.addScope({ name: scope })
  })
  after(() => server.close())

  it('adds endpoints with attributes and protocols; expressions select among them', async () => {
    const de = await client.data.addEndpoint(
      makeEndpoint({
        attributes: { country: 'DE', tier: 1, type: 'disk', [tag]: true },
        capacityBytes: 200e9,
      }),
    )
    const fr = await client.data.addEndpoint(
      makeEndpoint({
        attributes: { country: 'FR', tier: 2, type: 'disk', [tag]: true },
        capacityBytes: 50e9,
      }),
    )
    const tape = await client.data.addEndpoint(
      makeEndpoint({
        attributes: { country: 'DE', tier: 1, type: 'tape', [tag]: true },
        capacityBytes: null,
      }),
    )
    assert.equal(de.usedBytes, 0)
    const names = async (e: string) =>
      (await client.data.listEndpoints(e)).map((x) => x.name).sort()
    assert.deepEqual(await names(`${tag}&country=DE`), [de.name, tape.name].sort())
    assert.deepEqual(
      await names(`${tag}&(country=DE|country=FR)\\type=tape`),
      [de.name, fr.name].sort(),
    )
    assert.deepEqual(
      await names(`${tag}&freespace>100`),
      [de.name],
      'freespace in GB, unknown capacity never matches',
    )
    assert.deepEqual(await names(fr.name), [fr.name])
    const err = await rejectsWith(
      client.data.listEndpoints(`${tag}&country=ES`),
      'EXPRESSION_EMPTY',
      'country=ES',
    )
    assert.equal(err.details.expression, `${tag}&country=ES`)
    const syntax = await rejectsWith(
      client.data.listEndpoints('country=DE&&tier=1'),
      'EXPRESSION_INVALID',
      'position 11',
    )
    assert.equal(syntax.details.position, 11)
  })

  it('refuses bad endpoint definitions and changes nothing', async () => {
    const name = uniqueEndpointName()
    await rejectsWith(
      client.data.addEndpoint(makeEndpoint({ name: 'lower-case' })),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.data.addEndpoint(
        makeEndpoint({
          name,
          protocols: [{ scheme: 'file', url: 'file://host/x', read: 1, write: 1, delete: 1 }],
        }),
      ),
      'VALIDATION_FAILED',
      'file:///',
    )
    await rejectsWith(
      client.data.addEndpoint(
        makeEndpoint({
          name,
          protocols: [{ scheme: 'https', url: 'file:///x', read: 1, write: 1, delete: 1 }],
        }),
      ),
      'VALIDATION_FAILED',
      'does not match',
    )
    await rejectsWith(
      client.http.request('POST', '/data/endpoints', {
        body: { name, attributes: { country: 'D E' } },
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(client.data.getEndpoint(name), 'ENDPOINT_NOT_FOUND')
    const ep = await client.data.addEndpoint(makeEndpoint({ name }))
    await rejectsWith(client.data.addEndpoint(makeEndpoint({ name })), 'ENDPOINT_ALREADY_EXISTS')
    const updated = await client.data.updateEndpoint(name, {
      attributes: { tier: null, site: 'DESY-HH' },
      availableWrite: false,
    })
    assert.deepEqual(updated.attributes, { country: 'DE', type: 'disk', site: 'DESY-HH' })
    assert.equal(updated.availableWrite, false)
    assert.equal(updated.id, ep.id)
  })

  it('registers replicas in bulk with a result per item', async () => {
    const ep = await client.data.addEndpoint(
      makeEndpoint({
        protocols: [
          { scheme: 'davs', url: 'davs://dav.example.org:2880/pnfs', read: 2, write: 1, delete: 1 },
          {
            scheme: 'https',
            url: 'https://dav.example.org:2880/pnfs/',
            read: 1,
            write: 0,
            delete: 1,
          },
        ],
      }),
    )
    await client.data.addDid({
      scope,
      name: 'declared',
      type: 'file',
      bytes: 5,
      adler32: '00000001',
    })
    await client.data.addDid({ scope, name: 'collection', type: 'dataset' })
    await client.data.addDid({ scope, name: 'gone', type: 'file' })
    await client.data.deleteDid({ scope, name: 'gone' })
    const good = Array.from({ length: 50 }, (_, i) => ({
      scope,
      name: `bulk_${i}`,
      bytes: 1000 + i,
      adler32: fakeAdler32(),
      meta: { i },
    }))
    const result = await client.data.registerReplicas({
      endpoint: ep.name,
      replicas: [
        ...good,
        { scope, name: 'declared', bytes: 5, adler32: '00000001' },
        { scope, name: 'declared2', bytes: 5, adler32: '00000001' },
        { scope, name: 'declared2', bytes: 5, adler32: '00000001' },
        { scope, name: 'a..b', bytes: 1, adler32: '00000001' },
        { scope: uniqueScope(), name: 'x', bytes: 1, adler32: '00000001' },
        { scope, name: 'collection', bytes: 1, adler32: '00000001' },
        { scope, name: 'gone', bytes: 1, adler32: '00000001' },
      ],
    })
    const codes = result.results.slice(50).map((r) => r.error?.code ?? 'ok')
    assert.deepEqual(codes, [
      'ok',
      'ok',
      'VALIDATION_FAILED',
      'DID_INVALID',
      'SCOPE_NOT_FOUND',
      'DID_ATTACHMENT_INVALID',
      'DID_ALREADY_EXISTS',
    ])
    assert.equal(result.ok, 52)
    assert.equal(result.failed, 5)

    const again = await client.data.registerReplicas({
      endpoint: ep.name,
      replicas: [
        { ...good[0]! },
        { ...good[1]!, adler32: good[1]!.adler32 === '00000000' ? '00000001' : '00000000' },
      ],
    })
    assert.deepEqual(
      again.results.map((r) => r.error?.code),
      ['REPLICA_ALREADY_EXISTS', 'CHECKSUM_MISMATCH'],
    )

    const file = await client.data.getDid({ scope, name: 'bulk_7' })
    assert.equal(file.bytes, 1007)
    assert.deepEqual(file.meta, { i: 7 })
    const [replica] = await client.data.listReplicas({ scope, name: 'bulk_7' })
    assert.ok(replica)
    assert.equal(replica.state, 'available')
    assert.equal(replica.path, deterministicPath({ scope, name: 'bulk_7' }))
    assert.deepEqual(
      replica.urls,
      [
        `https://dav.example.org:2880/pnfs/${replica.path}`,
        `davs://dav.example.org:2880/pnfs/${replica.path}`,
      ],
      'best read protocol first',
    )
    const expectedBytes = good.reduce((n, g) => n + g.bytes, 0) + 10
    assert.equal(
      (await client.data.getEndpoint(ep.name)).usedBytes,
      expectedBytes,
      'bytes accounted as replicas arrive',
    )

    await rejectsWith(
      client.data.registerReplicas({ endpoint: 'NO-SUCH', replicas: [good[0]!] }),
      'ENDPOINT_NOT_FOUND',
    )
    await rejectsWith(
      client.http.request('POST', '/data/replicas', {
        body: { endpoint: ep.name, replicas: [{ scope, name: 'z', bytes: 1, adler32: 'XYZ' }] },
      }),
      'VALIDATION_FAILED',
    )
  })

  it('lists the replicas of every file below a dataset', async () => {
    const ep = await client.data.addEndpoint(makeEndpoint())
    const ds = await client.data.addDid({ scope, name: 'ds.replicas', type: 'dataset' })
    const files = [0, 1, 2].map((i) => ({
      scope,
      name: `dsr_${i}`,
      bytes: 10,
      adler32: fakeAdler32(),
    }))
    await client.data.registerReplicas({ endpoint: ep.name, replicas: files })
    await client.data.attach(ds, files)
    const replicas = await client.data.listReplicas(ds)
    assert.deepEqual(
      replicas.map((r) => r.name),
      ['dsr_0', 'dsr_1', 'dsr_2'],
    )
  })

  it('accepts 10,000 replicas in one call', async () => {
    const ep = await client.data.addEndpoint(makeEndpoint())
    const replicas = Array.from({ length: 10_000 }, (_, i) => ({
      scope,
      name: `many_${i}`,
      bytes: i,
      adler32: fakeAdler32(),
    }))
    const result = await client.data.registerReplicas({ endpoint: ep.name, replicas })
    assert.equal(result.ok, 10_000)
  })

  it('refuses oversized batches and writes to endpoints that are switched off', async () => {
    const ep = await client.data.addEndpoint(makeEndpoint())
    const replicas = Array.from({ length: 10_001 }, (_, i) => ({
      scope,
      name: `over_${i}`,
      bytes: 1,
      adler32: '00000001',
    }))
    await rejectsWith(
      client.data.registerReplicas({ endpoint: ep.name, replicas }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(client.data.getDid({ scope, name: 'over_0' }), 'DID_NOT_FOUND')
    await client.data.updateEndpoint(ep.name, { availableWrite: false })
    await client.data.addDid({
      scope,
      name: 'nowrite',
      type: 'file',
      bytes: 1,
      adler32: '00000001',
    })
    await rejectsWith(
      client.data.addRule({ scope, name: 'nowrite', copies: 1, expression: ep.name }),
      'RULE_UNSATISFIABLE',
    )
    await rejectsWith(
      client.data.upload({ scope, name: 'nowrite2' }, new Uint8Array(10), { to: ep.name }),
      'ENDPOINT_UNAVAILABLE',
    )
    await rejectsWith(
      client.data.addRule({
        scope,
        name: 'nowrite',
        copies: 1,
        expression: '*',
        sourceExpression: 'country=',
      }),
      'EXPRESSION_INVALID',
    )
  })

  it('creates the demo endpoints once, with POSIX directories under the home folder', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-home-'))
    try {
      const first = await createDemoEndpoints(fixture().ctx, home)
      const again = await createDemoEndpoints(fixture().ctx, home)
      const names = (list: typeof first) =>
        list
          .filter(
            (e) => e.name.endsWith('DISK') || e.name.endsWith('TAPE') || e.name === 'SURF_LOFAR',
          )
          .map((e) => e.name)
          .sort()
      assert.deepEqual(names(again), names(first))
      assert.ok(names(first).includes('DESY-ZN_DATADISK'))
      assert.ok(existsSync(path.join(home, 'storage', 'desy-zn_datadisk')))
      assert.deepEqual(
        (await client.data.listEndpoints('country=DE&tier=1&infra=wlcg'))
          .map((e) => e.name)
          .filter((n) => n.includes('DATADISK'))
          .sort(),
        ['DESY-ZN_DATADISK', 'KIT_DATADISK'],
      )
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
