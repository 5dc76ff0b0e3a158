import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  placeTask,
  type BrokerTask,
  type ComputeCandidate,
  type LocalityEstimator,
} from './broker.js'
import { localityFrom } from './data-locality.js'
import { matchSites } from './site-expression.js'

function site(name: string, o: Partial<ComputeCandidate> = {}): ComputeCandidate {
  return {
    name,
    batchSystem: 'slurm',
    cores: 64,
    memoryPerCoreMb: 2000,
    accelerators: null,
    maxWalltimeS: 86400,
    interactive: false,
    containerRuntimes: ['apptainer'],
    energyGCo2PerKwh: null,
    wattsPerCore: 10,
    attributes: {},
    executor: { kind: 'slurm', config: {} },
    queued: 0,
    running: 0,
    allocationLeftCoreHours: null,
    ...o,
  }
}

function task(o: Partial<BrokerTask> = {}): BrokerTask {
  return {
    name: 't',
    community: 'atlas',
    cores: 4,
    memoryMb: 4000,
    walltimeS: 3600,
    accelerators: null,
    image: null,
    inputs: [],
    pinned: null,
    excluded: null,
    ...o,
  }
}

describe('broker', () => {
  it('filters by resources, accelerators, containers, allocation and policy, with a reason each', () => {
    const a100 = { accelerators: { model: 'A100', count: 4 } }
    const sites = [
      site('small', { ...a100, cores: 2 }),
      site('short', { ...a100, maxWalltimeS: 600 }),
      site('gpu', a100),
      site('spent', { ...a100, allocationLeftCoreHours: 0 }),
      site('nocontainer', { ...a100, containerRuntimes: [] }),
      site('closed', a100),
      site('cpu'),
    ]
    const p = placeTask(
      task({ accelerators: { model: 'a100', count: 2 }, image: 'docker://alpine' }),
      sites,
      { keep: 10, mayUse: (c, s) => !(c === 'atlas' && s.name === 'closed') },
    )
    assert.equal(p.site, 'gpu')
    const why = new Map(p.decisions.map((d) => [d.site, d.reasons[0]]))
    assert.match(why.get('small') ?? '', /too few cores/)
    assert.match(why.get('short') ?? '', /walltime/)
    assert.match(why.get('spent') ?? '', /allocation exhausted/)
    assert.match(why.get('nocontainer') ?? '', /no container runtime/)
    assert.match(why.get('closed') ?? '', /policy does not let atlas use it/)
    assert.match(why.get('cpu') ?? '', /too few accelerators/)
    const none = placeTask(task({ cores: 128 }), sites)
    assert.equal(none.site, null)
    assert.match(none.summary, /no eligible site among 7: 7× too few cores/)
  })

  it('ranks by data locality, then load, then carbon intensity', () => {
    const sites = [
      site('busy', { queued: 64, running: 64 }),
      site('idle'),
      site('green', { energyGCo2PerKwh: 20 }),
      site('coal', { energyGCo2PerKwh: 800 }),
    ]
    assert.equal(placeTask(task(), sites).site, 'idle', 'no carbon figure is not penalised')
    assert.equal(
      placeTask(
        task(),
        sites.filter((s) => s.name !== 'idle'),
      ).site,
      'green',
    )
    const locality = (_inputs: readonly string[], c: ComputeCandidate) => ({
      nearBytes: c.name === 'busy' ? 900 : 0,
      totalBytes: 1000,
    })
    const p = placeTask(task({ inputs: ['did:atlas:file1'] }), sites, { locality })
    assert.equal(p.site, 'busy', 'data near the site outweighs its queue')
    assert.ok(p.decisions[0]?.reasons.some((r) => r.startsWith('data locality: 90%')))
  })

  it('honours pin and exclude expressions', () => {
    const sites = [
      site('jsc', { attributes: { country: 'DE' } }),
      site('cnaf', { attributes: { country: 'IT' } }),
      site('desy', { attributes: { country: 'DE' }, queued: 100 }),
    ]
    const named = sites.map((s) => ({ name: s.name, attributes: s.attributes }))
    assert.equal(placeTask(task({ pinned: matchSites('country=DE', named) }), sites).site, 'jsc')
    assert.equal(
      placeTask(
        task({ pinned: matchSites('country=DE', named), excluded: matchSites('jsc', named) }),
        sites,
      ).site,
      'desy',
    )
    const p = placeTask(task({ pinned: matchSites('country=IT', named) }), sites)
    assert.equal(p.site, 'cnaf')
    assert.match(
      p.decisions.find((d) => d.site === 'jsc')?.reasons[0] ?? '',
      /not selected by the site expression/,
    )
  })

  it('uses catalogue allocations per community, software environments and link bandwidth', () => {
    const allocations = new Map([
      ['atlas', 5],
      ['cms', 0],
    ])
    const sites = [
      site('alloc', { allocations, environments: ['root-6'], siteName: 'a' }),
      site('far', {
        environments: ['root-6'],
        siteName: 'b',
        linksGbps: new Map([['c', 8]]),
        queued: 10,
      }),
    ]
    assert.equal(
      placeTask(task({ community: 'atlas', environment: 'root-6' }), sites).site,
      'alloc',
    )
    const cms = placeTask(task({ community: 'cms' }), sites, { keep: 10 })
    assert.equal(cms.site, 'far')
    assert.match(
      cms.decisions.find((d) => d.site === 'alloc')?.reasons[0] ?? '',
      /allocation of cms exhausted/,
    )
    const none = placeTask(task({ community: 'lhcb' }), sites, { keep: 10 })
    assert.match(
      none.decisions.find((d) => d.site === 'alloc')?.reasons[0] ?? '',
      /lhcb has no allocation/,
    )
    const env = placeTask(task({ environment: 'tensorflow' }), sites, { keep: 10 })
    assert.equal(env.site, null)
    assert.match(env.summary, /2× software environment not offered/)
    // 1 GB at site c, 8 Gb/s from c to b: about a second to move.
    const locality = (_inputs: readonly string[], c: ComputeCandidate) => ({
      nearBytes: 0,
      totalBytes: 1e9,
      transferS: c.linksGbps?.has('c') ? 1 : null,
    })
    const p = placeTask(task({ community: 'atlas', inputs: ['did:x:y'] }), sites, {
      locality,
      keep: 10,
    })
    const reasons = p.decisions.flatMap((d) => d.reasons).join(' | ')
    assert.match(reasons, /transfer: about 1 s for the rest over the known links/)
    assert.match(reasons, /transfer: no network link known to the site/)
  })

  it('excludes what the policy predicate refuses, with its reason', () => {
    const p = placeTask(task(), [site('closed'), site('open')], {
      keep: 10,
      mayUse: (_c, s) => (s.name === 'closed' ? 'policy: not for you' : true),
    })
    assert.equal(p.site, 'open')
    assert.deepEqual(p.decisions.find((d) => d.site === 'closed')?.reasons, ['policy: not for you'])
  })

  it('keeps the same best sites when it stops early on data locality as when it scores every site', () => {
    // A small deterministic generator: many shapes of load, carbon, links and copies.
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < 40; round++) {
      const sites = Array.from({ length: 60 }, (_, i) =>
        site(`s${i}`, {
          siteName: `Site-${i % 20}`,
          cores: 8 + Math.floor(rand() * 64),
          queued: Math.floor(rand() * 40),
          running: Math.floor(rand() * 40),
          energyGCo2PerKwh: rand() < 0.3 ? null : Math.floor(rand() * 800),
          linksGbps: new Map([[`site-${Math.floor(rand() * 20)}`, 1 + Math.floor(rand() * 100)]]),
        }),
      )
      const locations = new Map(
        Array.from({ length: 6 }, (_, i) => [
          `did:x:f${i}`,
          { bytes: Math.floor(rand() * 1e10), sites: [`site-${Math.floor(rand() * 20)}`] },
        ]),
      )
      const early = localityFrom(locations)
      // The same estimate without `near`: the broker then scores every candidate.
      const everyone: LocalityEstimator = (inputs, c) => early(inputs, c)
      const t = task({
        cores: 1 + Math.floor(rand() * 32),
        inputs: [`did:x:f${round % 6}`, `did:x:f${(round + 1) % 6}`],
      })
      const a = placeTask(t, sites, { locality: early, keep: 5 })
      const b = placeTask(t, sites, { locality: everyone, keep: 5 })
      const scores = (p: typeof a) => p.decisions.filter((d) => d.eligible).map((d) => d.score)
      assert.deepEqual(scores(a), scores(b), `round ${round}: the kept scores`)
      assert.equal(a.decisions[0]?.score, b.decisions[0]?.score)
    }
  })

  it('places quickly among 1,000 services', () => {
    const sites = Array.from({ length: 1000 }, (_, i) =>
      site(`s${i}`, {
        cores: 8 + (i % 64),
        queued: i % 17,
        energyGCo2PerKwh: i % 3 ? 100 + i : null,
      }),
    )
    const started = performance.now()
    for (let i = 0; i < 200; i++) placeTask(task({ cores: 1 + (i % 16) }), sites)
    assert.ok(performance.now() - started < 2000)
  })
})
