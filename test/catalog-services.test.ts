/** Landscape records over HTTP on both backends: CRUD, references, name lists, paging, bad input. */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { makeCommunity, makeInfrastructure, uniqueName } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'
import type { ContinuumClient } from '../src/client/index.js'

describeEachBackend('landscape records over HTTP', (fixture) => {
  let server: TestServer
  let c: ContinuumClient
  let infra: string
  let community: string
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    c = server.client
    infra = (await c.catalog.addInfrastructure(makeInfrastructure({ kind: 'HPC' }))).name
    community = (await c.catalog.addCommunity(makeCommunity())).name
  })
  after(() => server.close())

  it('adds a site and a compute service with defaults, reads them back by name and id', async () => {
    const site = await c.landscape.sites.add({
      name: uniqueName('site'),
      title: 'Machine room',
      infrastructure: infra,
      country: 'FI',
      tier: 1,
    })
    assert.equal(site.infrastructure, infra)
    assert.deepEqual(site.attributes, {})
    const svc = await c.landscape.computeServices.add({
      name: uniqueName('gpu'),
      title: 'GPU partition',
      infrastructure: infra,
      site: site.name,
      batchSystem: 'slurm',
      cores: 128 * 2978,
      memoryPerCoreGB: 4,
      accelerators: [{ model: 'AMD MI250X', count: 11912, memoryGB: 128 }],
      maxWalltimeHours: 48,
      containerRuntimes: ['apptainer'],
      energy: { pue: 1.1, carbonGPerKWh: 0, renewableShare: 1 },
    })
    assert.equal(svc.site, site.name)
    assert.equal(svc.interactive, false)
    assert.equal(svc.networkEgressGbps, null)
    assert.deepEqual(svc.accelerators, [{ model: 'AMD MI250X', count: 11912, memoryGB: 128 }])
    assert.deepEqual(await c.landscape.computeServices.get(svc.id), svc)
    assert.deepEqual(await c.landscape.computeServices.get(svc.name), svc)
  })

  it('refuses dangling references, wrong types, unknown fields, bad countries and duplicates — and stores nothing', async () => {
    const name = uniqueName('bad')
    await rejectsWith(
      c.landscape.storageServices.add({
        name,
        title: 't',
        infrastructure: 'nope',
        media: 'disk',
        protocols: ['root'],
      }),
      'REFERENCE_NOT_FOUND',
      'infrastructure',
    )
    await rejectsWith(
      c.landscape.storageServices.add({
        name,
        title: 't',
        infrastructure: infra,
        media: 'floppy',
        protocols: ['root'],
      }),
      'VALIDATION_FAILED',
      'media',
    )
    await rejectsWith(
      c.landscape.storageServices.add({
        name,
        title: 't',
        infrastructure: infra,
        media: 'disk',
        protocols: ['gopher'],
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      c.landscape.computeServices.add({
        name,
        title: 't',
        infrastructure: infra,
        batchSystem: 'slurm',
        cores: 'many',
      }),
      'VALIDATION_FAILED',
      'cores',
    )
    await rejectsWith(
      c.landscape.computeServices.add({
        name,
        title: 't',
        infrastructure: infra,
        batchSystem: 'slurm',
        cores: 1,
        colour: 'red',
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      c.landscape.sites.add({ name, title: 't', infrastructure: infra, country: 'XX' }),
      'VALIDATION_FAILED',
      'country',
    )
    await rejectsWith(
      c.landscape.sites.add({ name: '../etc', title: 't', infrastructure: infra, country: 'DE' }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(c.landscape.computeServices.get(name), 'COMPUTE_SERVICE_NOT_FOUND')
    await rejectsWith(c.landscape.storageServices.get(name), 'STORAGE_SERVICE_NOT_FOUND')
    const ok = await c.landscape.storageServices.add({
      name,
      title: 't',
      infrastructure: infra,
      media: 'tape',
      protocols: ['root'],
      capacityTB: 1000,
    })
    await rejectsWith(
      c.landscape.storageServices.add({
        name,
        title: 'other',
        infrastructure: infra,
        media: 'tape',
        protocols: ['root'],
      }),
      'STORAGE_SERVICE_ALREADY_EXISTS',
    )
    assert.equal((await c.landscape.storageServices.get(name)).title, ok.title)
  })

  it('checks name lists in policies and refuses to delete what they name', async () => {
    const svc = await c.landscape.computeServices.add({
      name: uniqueName('cpu'),
      title: 'CPU',
      infrastructure: infra,
      batchSystem: 'slurm',
      cores: 1000,
    })
    await rejectsWith(
      c.landscape.accessPolicies.add({
        name: uniqueName('pol'),
        title: 'p',
        infrastructure: infra,
        route: 'rolling',
        services: ['no-such-service'],
      }),
      'REFERENCE_NOT_FOUND',
      'services',
    )
    await rejectsWith(
      c.landscape.accessPolicies.add({
        name: uniqueName('pol'),
        title: 'p',
        infrastructure: infra,
        route: 'rolling',
        eligibility: {
          anyEuropeanResearcher: false,
          communities: ['ghost'],
          vos: [],
          groups: [],
          countries: [],
        },
      }),
      'REFERENCE_NOT_FOUND',
      'eligibility.communities',
    )
    const policy = await c.landscape.accessPolicies.add({
      name: uniqueName('pol'),
      title: 'Benchmark access',
      infrastructure: infra,
      route: 'peer-reviewed-call',
      services: [svc.name],
      eligibility: {
        anyEuropeanResearcher: true,
        communities: [community],
        vos: ['atlas'],
        groups: ['/atlas/production'],
        countries: [],
      },
      allocationUnit: 'node-hours',
      periodMonths: 12,
      acceptedAai: ['myaccessid'],
    })
    assert.equal(policy.multiYear, false)
    assert.deepEqual(policy.eligibility.communities, [community])
    await rejectsWith(c.landscape.computeServices.delete(svc.name), 'RECORD_IN_USE', policy.name)
    const updated = await c.landscape.accessPolicies.update(policy.name, {
      multiYear: true,
      services: [],
    })
    assert.equal(updated.multiYear, true)
    await c.landscape.computeServices.delete(svc.name)
    await rejectsWith(c.landscape.accessPolicies.update(policy.name, {}), 'VALIDATION_FAILED')
    await rejectsWith(
      c.landscape.accessPolicies.update(policy.name, { colour: 'red' }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      c.landscape.accessPolicies.update(policy.name, { name: 'renamed' }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      c.landscape.accessPolicies.update(policy.name, { route: 'bribery' }),
      'VALIDATION_FAILED',
    )
    assert.equal(
      (await c.landscape.accessPolicies.get(policy.name)).route,
      'peer-reviewed-call',
      'refused patches change nothing',
    )
  })

  it('keeps members unique per community, with roles and working groups', async () => {
    const other = (await c.catalog.addCommunity(makeCommunity())).name
    const wg = await c.landscape.workingGroups.add({
      name: uniqueName('wg'),
      title: 'WG1 Data',
      community,
    })
    const m1 = await c.landscape.members.add({
      name: 'jdoe',
      community,
      displayName: 'J. Doe',
      roles: ['coordinator'],
      workingGroups: [wg.name],
    })
    await c.landscape.members.add({ name: 'jdoe', community: other, displayName: 'J. Doe' })
    await rejectsWith(
      c.landscape.members.add({ name: 'jdoe', community, displayName: 'again' }),
      'MEMBER_ALREADY_EXISTS',
    )
    await rejectsWith(c.landscape.members.get('jdoe'), 'AMBIGUOUS_NAME')
    assert.equal((await c.landscape.members.get(m1.id)).community, community)
    const listed = await c.landscape.members.list({ community })
    assert.deepEqual(
      listed.items.map((m) => m.name),
      ['jdoe'],
    )
    await rejectsWith(c.landscape.workingGroups.delete(wg.name), 'RECORD_IN_USE')
    await rejectsWith(
      c.landscape.members.add({ name: 'x', community, displayName: 'X', roles: ['king'] }),
      'VALIDATION_FAILED',
    )
  })

  it('pages through a kind with keyset cursors, each record once', async () => {
    const names = Array.from({ length: 7 }, () => uniqueName('pg-site')).sort()
    for (const n of names) {
      await c.landscape.sites.add({ name: n, title: n, infrastructure: infra, country: 'DE' })
    }
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await c.landscape.sites.list({
        q: 'pg-site',
        limit: 3,
        ...(cursor ? { cursor } : {}),
      })
      seen.push(...page.items.map((s) => s.name))
      cursor = page.next ?? undefined
    } while (cursor)
    assert.deepEqual(seen, names)
    await rejectsWith(c.landscape.sites.list({ cursor: 'garbage' }), 'VALIDATION_FAILED', 'cursor')
    await rejectsWith(
      c.landscape.softwareEnvironments.list({ infrastructure: infra }),
      'VALIDATION_FAILED',
    )
  })

  it('refuses inconsistent records: link to itself, period ending before it starts, site of another infrastructure', async () => {
    const s = await c.landscape.sites.add({
      name: uniqueName('s'),
      title: 's',
      infrastructure: infra,
      country: 'DE',
    })
    await rejectsWith(
      c.landscape.networkLinks.add({
        name: uniqueName('l'),
        from: s.name,
        to: s.name,
        bandwidthGbps: 100,
      }),
      'VALIDATION_FAILED',
      'two different sites',
    )
    const svc = await c.landscape.storageServices.add({
      name: uniqueName('st'),
      title: 'st',
      infrastructure: infra,
      media: 'disk',
      protocols: ['davs'],
    })
    await rejectsWith(
      c.landscape.allocations.add({
        name: uniqueName('a'),
        community,
        service: svc.name,
        amount: 10,
        unit: 'tb',
        periodStart: '2026-01-01',
        periodEnd: '2025-01-01',
      }),
      'VALIDATION_FAILED',
      'periodEnd',
    )
    await rejectsWith(
      c.landscape.allocations.add({
        name: uniqueName('a'),
        community,
        service: 'ghost',
        amount: 10,
        unit: 'tb',
      }),
      'REFERENCE_NOT_FOUND',
      'service',
    )
    const a = await c.landscape.allocations.add({
      name: uniqueName('a'),
      community,
      service: svc.name,
      amount: 10,
      unit: 'tb',
      periodStart: '2026-01-01',
      periodEnd: '2027-01-01',
      used: 2.5,
    })
    assert.equal(a.used, 2.5)
    const infra2 = (await c.catalog.addInfrastructure(makeInfrastructure())).name
    await rejectsWith(
      c.landscape.computeServices.add({
        name: uniqueName('c'),
        title: 'c',
        infrastructure: infra2,
        site: s.name,
        batchSystem: 'slurm',
        cores: 1,
      }),
      'VALIDATION_FAILED',
      'belongs to infrastructure',
    )
  })
})
