/**
 * Placement from the catalogue, gated by policy, with data staged through the federation: the
 * broker's candidates are catalogue compute services with an executor binding, a community
 * runs only where a synced access policy lets it and while its allocation lasts, inputs move to
 * storage near the chosen site (or are read where they are), and outputs are uploaded,
 * registered with their checksums and kept by the workflow's rule. Both backends.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import {
  addCommunity,
  addInfrastructure,
  addRecord,
  listAllRecords,
  updateRecord,
} from '../src/catalog/index.js'
import type { Endpoint } from '../src/contract/index.js'
import { addDid, addScope, attachDids, listReplicas, listRules } from '../src/data/index.js'
import type { Context } from '../src/db/index.js'
import { PolicyEngine, syncAccessPolicies } from '../src/policy/index.js'
import { ProtocolRegistry, TransferAgent, uploadFile } from '../src/transfers/index.js'
import {
  explainTask,
  FederationStaging,
  forgetCatalogueView,
  getWorkflow,
  listTasks,
  putComputeSite,
  submitWorkflow,
  usageReport,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueName } from './support/factories.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { tempDir } from './support/workflows.js'

describeEachBackend('workflow placement from the catalogue', (fixture) => {
  const storage: TempStorage = tempStorage()
  let policy: PolicyEngine
  let engine: WorkflowEngine
  let transfers: TransferAgent
  let near: Endpoint
  let far: Endpoint
  const names = {
    infra: uniqueName('infra'),
    siteA: uniqueName('site-a'),
    siteB: uniqueName('site-b'),
    svcA: uniqueName('svc-a'),
    svcB: uniqueName('svc-b'),
    atlas: uniqueName('atlas'),
    cms: uniqueName('cms'),
  }
  const scope = uniqueScope('wf')

  before(async () => {
    const { ctx } = fixture()
    await addInfrastructure(ctx, {
      name: names.infra,
      title: 'Test centre',
      kind: 'HPC',
      operator: 'Test',
      country: 'DE',
      url: 'https://example.org',
    })
    for (const c of [names.atlas, names.cms]) {
      await addCommunity(ctx, { name: c, title: c, field: 'Physics' })
    }
    for (const s of [names.siteA, names.siteB]) {
      await addRecord(ctx, 'site', {
        name: s,
        title: s,
        infrastructure: names.infra,
        country: 'DE',
      })
    }
    await addRecord(ctx, 'networkLink', {
      name: uniqueName('link'),
      from: names.siteA,
      to: names.siteB,
      bandwidthGbps: 10,
    })
    const service = (name: string, site: string, carbon: number) =>
      addRecord(ctx, 'computeService', {
        name,
        title: name,
        infrastructure: names.infra,
        site,
        batchSystem: 'local',
        cores: 4,
        memoryPerCoreGB: 2,
        energy: { pue: 1.2, carbonGPerKWh: carbon, renewableShare: null },
      })
    await service(names.svcA, names.siteA, 100)
    await service(names.svcB, names.siteB, 300)
    for (const [svc, community] of [
      [names.svcA, names.atlas],
      [names.svcA, names.cms],
    ] as const) {
      await addRecord(ctx, 'allocation', {
        name: uniqueName('alloc'),
        community,
        service: svc,
        amount: 100,
        unit: 'core-hours',
      })
    }
    // atlas may use svc-a only; cms both.
    const access = (name: string, communities: string[], services: string[]) =>
      addRecord(ctx, 'accessPolicy', {
        name,
        title: name,
        infrastructure: names.infra,
        route: 'community-membership',
        services,
        eligibility: {
          anyEuropeanResearcher: false,
          communities,
          vos: [],
          groups: [],
          countries: [],
        },
        unattendedWorkflows: true,
      })
    await access(uniqueName('ap-atlas'), [names.atlas], [names.svcA])
    await access(uniqueName('ap-cms'), [names.cms], [names.svcA, names.svcB])
    policy = new PolicyEngine(ctx, () => [])
    await syncAccessPolicies(ctx, policy, 'test')
    for (const svc of [names.svcA, names.svcB]) {
      await putComputeSite(ctx, {
        name: svc,
        computeService: svc,
        executor: 'local',
        config: { root: tempDir('continuum-runs-') },
        cores: 1,
        memoryPerCoreMb: 1,
      })
    }
    near = await storage.add(ctx, { site: names.siteA })
    far = await storage.add(ctx, { site: names.siteB })
    await addScope(ctx, { name: scope })
    const registry = new ProtocolRegistry()
    await addDid(ctx, { scope, name: 'ds', type: 'dataset' })
    for (const i of [0, 1]) {
      const data = Buffer.from(`event data ${i}\n`.repeat(i + 1))
      await uploadFile(ctx, registry, { scope, name: `f${i}`, to: far.name }, bytesOf(data))
    }
    await attachDids(
      ctx,
      { scope, name: 'ds' },
      { children: [0, 1].map((i) => ({ scope, name: `f${i}` })) },
    )
    engine = new WorkflowEngine(ctx, {
      workerId: 'placement',
      leaseMs: 60_000,
      policy,
      staging: new FederationStaging(ctx),
    })
    transfers = new TransferAgent(ctx, { workerId: 'placement-transfers' })
  })
  after(() => storage.cleanup())

  async function run(ctx: Context, id: string) {
    for (let round = 0; round < 3000; round++) {
      const handled = (await engine.runOnce()) + (await transfers.runOnce())
      const wf = await getWorkflow(ctx, id)
      if (['succeeded', 'failed', 'cancelled'].includes(wf.state)) return wf
      if (handled === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`workflow ${id} did not finish`)
  }

  it('places on catalogue services the access policy allows, with the reasons', async () => {
    const { ctx } = fixture()
    const wf = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: `name: gated\ncommunity: ${names.atlas}\ntasks:\n  - name: hello\n    command: ['true']\n`,
    })
    const done = await run(ctx, wf.id)
    assert.equal(done.state, 'succeeded')
    const explained = await explainTask(ctx, wf.id, 'hello')
    assert.equal(explained.task.site, names.svcA)
    const rejected = explained.placement.find((d) => d.site === names.svcB)
    assert.ok(rejected && !rejected.eligible)
    assert.match(rejected.reasons.join(' '), /policy: no access policy lets community .* svc-b/)
    const usage = await usageReport(ctx, { groupBy: 'site' })
    assert.ok(usage.rows.some((r) => r.key === names.svcA && r.tasks >= 1))
  })

  it('refuses a community whose allocation is spent, saying so', async () => {
    const { ctx } = fixture()
    const all = await listAllRecords(ctx.db, 'allocation')
    const atlas = all.find((a) => a.community === names.atlas)!
    await updateRecord(ctx, 'allocation', atlas.name, { used: 100 })
    forgetCatalogueView(ctx.db)
    const wf = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: `name: spent\ncommunity: ${names.atlas}\ntasks:\n  - name: hello\n    command: ['true']\n`,
    })
    const done = await run(ctx, wf.id)
    assert.equal(done.state, 'failed')
    const [task] = (await listTasks(ctx, wf.id, {})).items
    assert.match(task?.reason ?? '', /no allocation left/)
    const explained = await explainTask(ctx, wf.id, 'hello')
    assert.match(
      explained.placement.find((d) => d.site === names.svcA)?.reasons.join(' ') ?? '',
      /allocation of .* exhausted/,
    )
    await updateRecord(ctx, 'allocation', atlas.name, { used: 0 })
    forgetCatalogueView(ctx.db)
  })

  it('stages a dataset in, scatters over it, and uploads and registers the outputs with a rule', async () => {
    const { ctx } = fixture()
    const dir = tempDir()
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: `name: staged
community: ${names.cms}
outputs: { scope: ${scope}, rule: ${far.name} }
tasks:
  - name: count
    scatter: { dataset: ${scope}:ds }
    site: ${names.svcA}
    inputs: ['\${{ item }}']
    outputs: ['did:${scope}:count-\${{ index }}']
    command: [sh, -c, 'f=\${1##*:}; wc -l < "$f" > count-\${{ index }}', sh, '\${{ item }}']
  - name: near-data
    scatter: { dataset: ${scope}:ds }
    inputs: ['\${{ item }}']
    command: [sh, -c, 'test -r "\${1##*:}"', sh, '\${{ item }}']
`,
    })
    assert.equal(wf.taskCount, 4)
    const done = await run(ctx, wf.id)
    assert.equal(done.state, 'succeeded', JSON.stringify(done))
    // Pinned to svc-a (site A): the inputs were copied to the storage there first.
    const staged = await explainTask(ctx, wf.id, 'count[1]')
    assert.ok(staged.history.some((h) => h.to === 'staging'))
    assert.ok(
      (await listReplicas(ctx, { scope, name: 'f1' })).some((r) => r.endpoint === near.name),
    )
    assert.equal(readFileSync(path.join(dir, 'count-1'), 'utf8').trim(), '2')
    // Free to choose: the broker goes where the data is (site B), and reads it there.
    const local = await explainTask(ctx, wf.id, 'near-data[0]')
    assert.equal(local.task.site, names.svcB)
    assert.match(local.placement[0]?.reasons.join(' ') ?? '', /data locality: 100%/)
    // Outputs: uploaded near the site, registered with their checksum, kept by the rule.
    const out = await listReplicas(ctx, { scope, name: 'count-1' })
    assert.ok(out.some((r) => r.endpoint === near.name && r.adler32 !== null))
    const rules = await listRules(ctx, { scope, name: 'count-1' })
    assert.ok(rules.some((r) => r.expression === far.name))
  })

  it('lets another worker take over a task waiting in staging, and runs it once', async () => {
    const { ctx, clock } = fixture()
    const dir = tempDir()
    await addDid(ctx, { scope, name: 'late', type: 'dataset' })
    await uploadFile(
      ctx,
      new ProtocolRegistry(),
      { scope, name: 'late-0', to: far.name },
      bytesOf(Buffer.from('x\n')),
    )
    await attachDids(ctx, { scope, name: 'late' }, { children: [{ scope, name: 'late-0' }] })
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: `name: takeover\ncommunity: ${names.cms}\ntasks:\n  - name: t\n    site: ${names.svcA}\n    inputs: ['did:${scope}:late']\n    command: [sh, -c, 'echo ran >> runs.txt']\n`,
    })
    const dying = new WorkflowEngine(ctx, {
      workerId: 'dies-in-staging',
      leaseMs: 1000,
      policy,
      staging: new FederationStaging(ctx),
    })
    await dying.runOnce()
    assert.equal((await listTasks(ctx, wf.id, {})).items[0]?.state, 'staging')
    clock.advance(5000)
    const done = await run(ctx, wf.id)
    assert.equal(done.state, 'succeeded')
    assert.equal(readFileSync(path.join(dir, 'runs.txt'), 'utf8'), 'ran\n')
    const [task] = (await listTasks(ctx, wf.id, {})).items
    assert.equal(task?.attempt, 1)
  })

  it('refuses a scatter over an unknown dataset, and fails a task whose input has no replica', async () => {
    const { ctx } = fixture()
    await assert.rejects(
      submitWorkflow(ctx, {
        workdir: tempDir(),
        source: `name: ghost\ntasks:\n  - name: t\n    scatter: { dataset: '${scope}:nothing' }\n    command: ['true']\n`,
      }),
      (err: Error & { code?: string }) =>
        err.code === 'WORKFLOW_INVALID' && /unknown to the data federation/.test(err.message),
    )
    await addDid(ctx, { scope, name: 'empty', type: 'dataset' })
    const wf = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: `name: empty\ncommunity: ${names.cms}\ntasks:\n  - name: t\n    inputs: ['did:${scope}:empty']\n    command: ['true']\n`,
    })
    const done = await run(ctx, wf.id)
    assert.equal(done.state, 'failed')
    const [task] = (await listTasks(ctx, wf.id, {})).items
    assert.match(task?.reason ?? '', /stage-in: input did:.*:empty has no available replica/)
  })
})
