import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Endpoint, Protocol } from '../../contract/index.js'
import { findRoute, thirdPartyCompatible, type RouteInput } from './routes.js'

let n = 0
function endpoint(
  name: string,
  urls: string[],
  attributes: Endpoint['attributes'] = {},
  extra: Partial<Endpoint> = {},
): Endpoint {
  n++
  const protocols: Protocol[] = urls.map((url, i) => ({
    scheme: url.slice(0, url.indexOf(':')) as Protocol['scheme'],
    url,
    read: i + 1,
    write: i + 1,
    delete: i + 1,
  }))
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name,
    attributes,
    protocols,
    availableRead: true,
    availableWrite: true,
    availableDelete: true,
    capacityBytes: null,
    usedBytes: 0,
    createdAt: '2026-11-25T00:00:00.000Z',
    updatedAt: '2026-11-25T00:00:00.000Z',
    ...extra,
  }
}

const everything = (): boolean => true

function input(
  source: Endpoint | Endpoint[],
  dest: Endpoint,
  endpoints: Endpoint[],
  overrides: Partial<RouteInput> = {},
): RouteInput {
  return {
    sources: (Array.isArray(source) ? source : [source]).map((endpoint) => ({
      endpoint,
      path: 'atlas/ab/cd/f.root',
    })),
    destination: { endpoint: dest, path: 'atlas/ab/cd/f.root' },
    endpoints,
    closed: new Set(),
    supports: everything,
    temporaryPath: '.multihop/t1',
    ...overrides,
  }
}

const names = (r: ReturnType<typeof findRoute>): string[] =>
  r.hops ? [r.hops[0]!.from.endpoint.name, ...r.hops.map((h) => h.to.endpoint.name)] : []

describe('transfer routes', () => {
  const cern = endpoint('CERN_DISK', ['root://eos.cern.ch:1094//eos/atlas'])
  const kit = endpoint('KIT_DISK', ['https://dcache.kit.edu:2880/atlas'])
  const hub = endpoint('HUB_DISK', ['root://hub:1094//data', 'https://hub:443/data'], {
    multihop: true,
  })
  const tape = endpoint('CTA_TAPE', ['root://cta:1094//tape'], { streaming: false })

  it('goes direct when a protocol pair exists, streamed or third-party', () => {
    const r = findRoute(input(cern, kit, [cern, kit, hub]))
    assert.deepEqual(names(r), ['CERN_DISK', 'KIT_DISK'])
    assert.equal(r.hops![0]!.sourceUrl, 'root://eos.cern.ch:1094//eos/atlas/atlas/ab/cd/f.root')
    assert.equal(r.hops![0]!.destUrl, 'https://dcache.kit.edu:2880/atlas/atlas/ab/cd/f.root')
    assert.equal(r.hops![0]!.tpc, 'prefer')
    assert.equal(r.hops![0]!.temporary, false)
  })

  it('routes a closed link through a multihop endpoint, with a temporary copy there', () => {
    const closed = new Set([`${cern.id}|${kit.id}`])
    const r = findRoute(input(cern, kit, [cern, kit, hub], { closed }))
    assert.deepEqual(names(r), ['CERN_DISK', 'HUB_DISK', 'KIT_DISK'])
    assert.equal(r.hops![0]!.destUrl, 'root://hub:1094//data/.multihop/t1')
    assert.equal(r.hops![0]!.temporary, true)
    assert.equal(r.hops![1]!.sourceUrl, 'root://hub:1094//data/.multihop/t1')
    assert.equal(r.hops![1]!.destUrl, 'https://dcache.kit.edu:2880/atlas/atlas/ab/cd/f.root')
    assert.equal(r.hops![1]!.temporary, false)
  })

  it('a third-party-only endpoint needs a common protocol family; else a hop that speaks both', () => {
    const direct = findRoute(input(tape, cern, [tape, cern]))
    assert.deepEqual(names(direct), ['CTA_TAPE', 'CERN_DISK'])
    assert.equal(direct.hops![0]!.tpc, 'only')

    const none = findRoute(input(tape, kit, [tape, kit]))
    assert.equal(none.hops, null)
    assert.match(
      (none as { reason: string }).reason,
      /CTA_TAPE accepts third-party copies only .* share no third-party protocol.*no endpoint is marked multihop=true/,
    )

    const via = findRoute(input(tape, kit, [tape, kit, hub]))
    assert.deepEqual(names(via), ['CTA_TAPE', 'HUB_DISK', 'KIT_DISK'])
    assert.equal(via.hops![0]!.tpc, 'only', 'tape → hub over root:// third-party')
    assert.match(via.hops![0]!.destUrl, /^root:\/\/hub/)
    assert.match(via.hops![1]!.sourceUrl, /^root:\/\/hub/, 'the hub reads with its first protocol')
  })

  it('prefers another source with a direct route over a multi-hop one', () => {
    const desy = endpoint('DESY_DISK', ['https://desy:443/atlas'])
    const closed = new Set([`${cern.id}|${kit.id}`])
    const r = findRoute(input([cern, desy], kit, [cern, desy, kit, hub], { closed }))
    assert.deepEqual(names(r), ['DESY_DISK', 'KIT_DISK'])
  })

  it('skips intermediates that are closed, unavailable, or not marked, and explains', () => {
    const down = endpoint(
      'DOWN_DISK',
      ['https://down/x'],
      { multihop: 'true' },
      {
        availableWrite: false,
      },
    )
    const plain = endpoint('PLAIN_DISK', ['https://plain/x'])
    const closed = new Set([`${cern.id}|${kit.id}`, `${cern.id}|${hub.id}`])
    const r = findRoute(input(cern, kit, [cern, kit, hub, down, plain], { closed }))
    assert.equal(r.hops, null)
    assert.match(
      (r as { reason: string }).reason,
      /the link CERN_DISK → KIT_DISK is closed.*no route through the multihop endpoints \(HUB_DISK\) within 2 hops/,
    )
  })

  it('finds two intermediates when needed, and no more than allowed', () => {
    const a = endpoint('A_HOP', ['https://a/x'], { multihop: true })
    const b = endpoint('B_HOP', ['https://b/x'], { multihop: true })
    const closed = new Set([`${cern.id}|${kit.id}`, `${cern.id}|${b.id}`, `${a.id}|${kit.id}`])
    const all = [cern, kit, a, b]
    assert.deepEqual(names(findRoute(input(cern, kit, all, { closed }))), [
      'CERN_DISK',
      'A_HOP',
      'B_HOP',
      'KIT_DISK',
    ])
    assert.equal(findRoute(input(cern, kit, all, { closed, maxIntermediates: 1 })).hops, null)
  })

  it('uses only protocols this worker speaks, and says so when none is left', () => {
    const noRoot = (url: string): boolean => !url.startsWith('root')
    const r = findRoute(input(cern, kit, [cern, kit], { supports: noRoot }))
    assert.equal(r.hops, null)
    assert.match(
      (r as { reason: string }).reason,
      /CERN_DISK offers no read protocol this worker speaks/,
    )
    assert.equal(findRoute(input([], kit, [kit])).hops, null)
  })

  it('S3 copies third-party only within one service', () => {
    const s3 = (url: string): Protocol => ({ scheme: 's3', url, read: 1, write: 1, delete: 1 })
    assert.equal(thirdPartyCompatible(s3('s3://s3.cern.ch/a'), s3('s3://s3.cern.ch/b')), true)
    assert.equal(thirdPartyCompatible(s3('s3://s3.cern.ch/a'), s3('s3://s3.kit.edu/b')), false)
  })
})
