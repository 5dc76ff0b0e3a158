/**
 * Sites over HTTP: a catalogue compute service bound to a real executor (the local machine,
 * checked before it is stored), refused bindings that change nothing, who may bind, storage
 * services bound to endpoints, draining (no new placements, placed tasks finish), removal refused
 * while tasks are unfinished, and software environments checked at placement. Both backends.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { addRecord } from '../src/catalog/index.js'
import type { ContinuumClient } from '../src/client/index.js'
import { PolicyEngine, syncAccessPolicies } from '../src/policy/index.js'
import { systemClock } from '../src/platform/index.js'
import { getWorkflow, listTasks, WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { makeEndpoint } from './support/data-factories.js'
import { makeCommunity, makeInfrastructure, uniqueName } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite, tempDir } from './support/workflows.js'

describeEachBackend('sites: catalogue services bound to executors', (fixture) => {
  let server: TestServer
  let admin: ContinuumClient
  let policy: PolicyEngine
  const infra = makeInfrastructure()
  const names = {
    site: uniqueName('campus'),
    svc: uniqueName('svc'),
    other: uniqueName('svc-other'),
    storage: uniqueName('disk'),
    env: uniqueName('cvmfs-sw'),
    policy: uniqueName('ap'),
  }
  let endpoint: string

  before(async () => {
    server = await startTestServer(fixture().database)
    admin = server.client
    const ctx = fixture().ctx
    await admin.catalog.addInfrastructure(infra)
    await admin.catalog.addCommunity(makeCommunity({ name: 'lofar' }))
    await addRecord(ctx, 'site', {
      name: names.site,
      title: 'Campus',
      infrastructure: infra.name,
      country: 'DE',
    })
    for (const svc of [names.svc, names.other]) {
      await addRecord(ctx, 'computeService', {
        name: svc,
        title: svc,
        infrastructure: infra.name,
        site: names.site,
        batchSystem: 'local',
        cores: 2,
        memoryPerCoreGB: 1,
      })
    }
    await addRecord(ctx, 'storageService', {
      name: names.storage,
      title: 'Campus disk',
      infrastructure: infra.name,
      site: names.site,
      media: 'disk',
      protocols: ['posix'],
    })
    // The catalogue says the repository is on the service; this machine has no /cvmfs.
    await addRecord(ctx, 'softwareEnvironment', {
      name: names.env,
      title: 'Software repository',
      kind: 'cvmfs',
      reference: `/cvmfs/${names.env}.example.org`,
      computeServices: [names.svc],
    })
    await addRecord(ctx, 'accessPolicy', {
      name: names.policy,
      title: 'Campus access',
      infrastructure: infra.name,
      route: 'community-membership',
      services: [names.svc, names.other],
      eligibility: {
        anyEuropeanResearcher: false,
        communities: ['lofar'],
        vos: [],
        groups: [],
        countries: [],
      },
      unattendedWorkflows: true,
    })
    policy = new PolicyEngine(ctx, () => [])
    await syncAccessPolicies(ctx, policy, 'test')
    endpoint = (await admin.data.addEndpoint(makeEndpoint())).name
  })
  after(() => server.close())

  it('binds a compute service to the local executor after asking it what it offers', async () => {
    const root = tempDir('continuum-site-')
    const site = await admin.sites.add({
      service: names.svc,
      executor: 'local',
      root,
      accounts: { lofar: 'nobody', default: 'daemon' },
      maxTasks: 3,
      maxWalltimeS: 7200,
      nearEndpoints: [endpoint],
      links: { [endpoint]: 10 },
    })
    assert.equal(site.name, names.svc)
    assert.equal(site.service, names.svc)
    assert.equal(site.infrastructure, infra.name)
    assert.equal(site.catalogueSite, names.site)
    assert.equal(site.state, 'active')
    assert.equal(site.root, root)
    assert.deepEqual(site.accounts, { lofar: 'nobody', default: 'daemon' })
    assert.equal(site.maxTasks, 3)
    assert.ok(site.offers && site.offers.cores >= 1 && site.offers.memoryMb > 0)
    // Listed in the catalogue, not found here: a local site does not take the catalogue's word.
    assert.ok(!site.environments.includes(names.env))
    assert.match(site.createdBy ?? '', /#/)
    const listed = await admin.sites.list()
    assert.ok(listed.some((s) => s.name === names.svc))
    assert.equal((await admin.sites.get(names.svc)).maxWalltimeS, 7200)
  })

  it('refuses bad bindings with clear errors and stores nothing', async () => {
    const before = (await admin.sites.list()).length
    await rejectsWith(
      admin.sites.add({ service: 'no-such-service', executor: 'local' }),
      'COMPUTE_SERVICE_NOT_FOUND',
    )
    await rejectsWith(
      admin.sites.add({ service: names.other, executor: 'local', partition: 'debug' }),
      'VALIDATION_FAILED',
      'not a setting of the local executor',
    )
    for (const root of ['relative/runs', '/tmp/../etc', '/tmp/a/..']) {
      await rejectsWith(
        admin.sites.add({ service: names.other, executor: 'local', root }),
        'VALIDATION_FAILED',
      )
    }
    await rejectsWith(
      admin.sites.add({ service: names.other, executor: 'local', accounts: { nobody: 'x' } }),
      'COMMUNITY_NOT_FOUND',
    )
    // Jobs would run as an account this machine does not have: refused, not stored.
    await rejectsWith(
      admin.sites.add({
        service: names.other,
        executor: 'local',
        accounts: { lofar: 'lofar_prod' },
      }),
      'VALIDATION_FAILED',
      "lofar's jobs would run as 'lofar_prod', but there is no Unix account",
    )
    await rejectsWith(
      admin.sites.add({ service: names.other, executor: 'local', nearEndpoints: ['NO_SUCH'] }),
      'ENDPOINT_NOT_FOUND',
    )
    // A Slurm whose tools are not there does not answer: refused, not stored.
    await rejectsWith(
      admin.sites.add({
        service: names.other,
        executor: 'slurm',
        binDir: '/nonexistent/slurm/bin',
      }),
      'EXECUTOR_UNAVAILABLE',
      'sinfo failed',
    )
    await rejectsWith(
      admin.sites.add({ service: names.svc, executor: 'local' }),
      'COMPUTE_SITE_ALREADY_EXISTS',
    )
    // The same service under another name: one binding per service.
    await rejectsWith(
      admin.sites.add({ name: uniqueName('twin'), service: names.svc, executor: 'local' }),
      'COMPUTE_SITE_ALREADY_EXISTS',
    )
    assert.equal((await admin.sites.list()).length, before)
    await rejectsWith(admin.sites.get('no-such-site'), 'COMPUTE_SITE_NOT_FOUND')
    await rejectsWith(admin.sites.drain('no-such-site'), 'COMPUTE_SITE_NOT_FOUND')
    await rejectsWith(admin.sites.remove('no-such-site'), 'COMPUTE_SITE_NOT_FOUND')
  })

  it('lets operators and admins bind, not community members', async () => {
    const member = await server.clientAs({ sub: 'lofar-member', groups: ['/lofar'] })
    assert.ok((await member.sites.list()).length >= 1, 'members read sites')
    await rejectsWith(
      member.sites.add({ name: uniqueName('x'), service: names.other, executor: 'local' }),
      'POLICY_DENIED',
    )
    await rejectsWith(member.sites.drain(names.svc), 'POLICY_DENIED')
    await rejectsWith(member.sites.remove(names.svc), 'POLICY_DENIED')
    await rejectsWith(member.sites.bindStorage(names.storage, [endpoint]), 'POLICY_DENIED')
    const operator = await server.clientAs({ sub: 'ops', groups: ['/continuum/operators'] })
    const site = await operator.sites.add({ service: names.other, executor: 'local' })
    assert.equal(site.createdBy?.endsWith('#ops'), true)
    assert.match(site.root ?? '', new RegExp(`/${names.other}$`))
    await operator.sites.remove(names.other)
    await rejectsWith(admin.sites.get(names.other), 'COMPUTE_SITE_NOT_FOUND')
  })

  it('binds a storage service to endpoints, which then carry its name and catalogue site', async () => {
    const bound = await admin.sites.bindStorage(names.storage, [endpoint])
    assert.deepEqual(bound, {
      service: names.storage,
      infrastructure: infra.name,
      catalogueSite: names.site,
      endpoints: [endpoint],
    })
    const e = await admin.data.getEndpoint(endpoint)
    assert.equal(e.attributes.storageService, names.storage)
    assert.equal(e.attributes.site, names.site)
    assert.ok((await admin.sites.storageBindings()).some((b) => b.service === names.storage))
    await rejectsWith(
      admin.sites.bindStorage('no-such-storage', [endpoint]),
      'STORAGE_SERVICE_NOT_FOUND',
    )
    await rejectsWith(admin.sites.bindStorage(names.storage, ['NO_SUCH']), 'ENDPOINT_NOT_FOUND')
    // Nothing changed by the refused call.
    assert.equal((await admin.data.getEndpoint(endpoint)).attributes.storageService, names.storage)
  })

  const ctx = () => ({ ...fixture().ctx, clock: systemClock })
  const engine = () => new WorkflowEngine(ctx(), { workerId: uniqueName('sites'), policy })

  async function run(engines: WorkflowEngine[], id: string, until: (s: string) => boolean) {
    for (let i = 0; i < 3000; i++) {
      let handled = 0
      for (const e of engines) handled += await e.runOnce()
      const wf = await getWorkflow(ctx(), id)
      if (until(wf.state)) return wf
      if (handled === 0) await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`workflow ${id} did not get there`)
  }

  const submit = (body: string) =>
    admin.workflows.submit({
      workdir: tempDir(),
      source: `name: t\ncommunity: lofar\ntasks:\n${body}`,
    })

  it('checks software environments at placement and says why a site was refused', async () => {
    const e = engine()
    const wf = await submit(
      `  - name: needs-sw\n    environment: { name: ${names.env} }\n    site: ${names.svc}\n    command: ['true']\n`,
    )
    const done = await run([e], wf.id, (s) => ['succeeded', 'failed'].includes(s))
    assert.equal(done.state, 'failed')
    const x = await admin.workflows.explain(wf.id, 'needs-sw')
    const refusal = x.placement.find((p) => p.site === names.svc)
    assert.ok(refusal && !refusal.eligible)
    assert.match(
      refusal.reasons.join(' '),
      new RegExp(`software environment ${names.env} is not offered here`),
    )
    // Declared in the binding (the operator vouches for it): placed and run.
    await admin.sites.add({
      service: names.svc,
      executor: 'local',
      replace: true,
      environments: [`/cvmfs/${names.env}.example.org`],
    })
    const ok = await submit(
      `  - name: needs-sw\n    environment: { name: ${names.env} }\n    site: ${names.svc}\n    command: ['true']\n`,
    )
    assert.equal(
      (await run([e], ok.id, (s) => ['succeeded', 'failed'].includes(s))).state,
      'succeeded',
    )
    const placed = await admin.workflows.explain(ok.id, 'needs-sw')
    assert.equal(placed.task.site, names.svc)
    assert.equal(placed.community, 'lofar')
    const chosen = placed.placement.find((p) => p.site === names.svc)
    assert.match(chosen?.reasons.join(' ') ?? '', new RegExp(`access policy ${names.policy}`))
  })

  it('drains a site (placed tasks finish, nothing new lands) and removes it only once idle', async () => {
    const e = engine()
    const running = await submit(
      `  - name: slow\n    site: ${names.svc}\n    command: [sh, -c, 'sleep 2']\n`,
    )
    await run([e], running.id, () => true)
    for (let i = 0; i < 2000; i++) {
      const t = (await listTasks(ctx(), running.id, {})).items[0]
      if (t && ['submitted', 'running'].includes(t.state)) break
      assert.ok(!t || !['done', 'failed'].includes(t.state), `the task ended early: ${t?.reason}`)
      await e.runOnce()
      await new Promise((r) => setTimeout(r, 10))
    }
    const busy = await rejectsWith(
      admin.sites.remove(names.svc),
      'COMPUTE_SITE_IN_USE',
      'unfinished',
    )
    assert.equal((busy.details as { activeTasks: number }).activeTasks, 1)
    const drained = await admin.sites.drain(names.svc)
    assert.equal(drained.state, 'draining')
    assert.equal(drained.activeTasks, 1)
    // Another site with room, so the broker looks at the task and says why it waits.
    await makeLocalSite(ctx())
    const later = await submit(`  - name: later\n    site: ${names.svc}\n    command: ['true']\n`)
    const end = await run([e], running.id, (s) => s === 'succeeded' || s === 'failed')
    assert.equal(end.state, 'succeeded', 'the placed task finished on the draining site')
    let waiting = (await listTasks(ctx(), later.id, {})).items[0]
    for (let i = 0; i < 500 && !waiting?.reason; i++) {
      await e.runOnce()
      waiting = (await listTasks(ctx(), later.id, {})).items[0]
    }
    assert.equal(waiting?.state, 'ready', 'a task only a draining site could take waits')
    assert.match(waiting?.reason ?? '', /waiting: .*draining/)
    const x = await admin.workflows.explain(later.id, 'later')
    assert.match(x.placement.map((p) => p.reasons.join(' ')).join(' '), /draining/)
    // Back in service: the waiting task runs there.
    await admin.sites.drain(names.svc, false)
    assert.equal((await admin.sites.get(names.svc)).state, 'active')
    const ran = await run([e], later.id, (s) => s === 'succeeded' || s === 'failed')
    assert.equal(ran.state, 'succeeded')
    await admin.sites.drain(names.svc)
    const removed = await admin.sites.remove(names.svc)
    assert.equal(removed.name, names.svc)
    await rejectsWith(admin.sites.get(names.svc), 'COMPUTE_SITE_NOT_FOUND')
  })
})
