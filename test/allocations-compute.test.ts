/**
 * An allocation that spans infrastructures: one grant of core-hours, usable on every service
 * its expression selects (here two sites of one infrastructure, `infra=<name>`). What a task
 * uses on one site is gone on the other; once the grant is spent, the broker refuses both with
 * the allocation's name and balance in the reason. Bad allocations change nothing. Both
 * backends.
 */
import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import {
  addCommunity,
  addInfrastructure,
  addRecord,
  importCatalog,
  listAllRecords,
} from '../src/catalog/index.js'
import {
  allocationUsage,
  apelSummary,
  explainTask,
  forgetCatalogueView,
  listTasks,
  putComputeSite,
  submitWorkflow,
  usageReport,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueName } from './support/factories.js'
import { runUntilFinished, tempDir } from './support/workflows.js'

describeEachBackend('allocations across services', (fixture) => {
  const n = {
    infra: uniqueName('infra'),
    other: uniqueName('other'),
    siteA: uniqueName('site-a'),
    siteB: uniqueName('site-b'),
    svcA: uniqueName('svc-a'),
    svcB: uniqueName('svc-b'),
    lofar: uniqueName('lofar'),
    alloc: uniqueName('alloc'),
    siteC: uniqueName('site-c'),
    svcC: uniqueName('svc-c'),
    cms: uniqueName('cms'),
  }
  let engine: WorkflowEngine

  before(async () => {
    const { ctx } = fixture()
    for (const [name, country] of [
      [n.infra, 'DE'],
      [n.other, 'NL'],
    ] as const) {
      await addInfrastructure(ctx, {
        name,
        title: name,
        kind: 'HTC',
        operator: 'Test',
        country,
        url: 'https://example.org',
      })
    }
    await addCommunity(ctx, { name: n.lofar, title: 'LOFAR', field: 'Radio astronomy' })
    for (const [site, svc] of [
      [n.siteA, n.svcA],
      [n.siteB, n.svcB],
    ] as const) {
      await addRecord(ctx, 'site', {
        name: site,
        title: site,
        infrastructure: n.infra,
        country: 'DE',
      })
      await addRecord(ctx, 'computeService', {
        name: svc,
        title: svc,
        infrastructure: n.infra,
        site,
        batchSystem: 'local',
        cores: 2,
        memoryPerCoreGB: 2,
      })
      await putComputeSite(ctx, {
        name: svc,
        computeService: svc,
        executor: 'local',
        config: { root: tempDir('continuum-runs-') },
        cores: 1,
        memoryPerCoreMb: 1,
      })
    }
    // Half a core-second: a task that exits at once leaves some, one that runs a second does not.
    await addRecord(ctx, 'allocation', {
      name: n.alloc,
      community: n.lofar,
      services: `infra=${n.infra}`,
      amount: 0.5 / 3600,
      unit: 'core-hours',
      grants: [{ unit: 'tb', amount: 10 }],
      renewable: true,
    })
    forgetCatalogueView(ctx.db)
    engine = new WorkflowEngine(ctx, { workerId: uniqueName('alloc-engine'), leaseMs: 60_000 })
  })

  const workflow = (name: string, site: string | null, command: string[]) =>
    `name: ${name}\ncommunity: ${n.lofar}\ntasks:\n  - name: t\n${
      site ? `    site: ${site}\n` : ''
    }    command: ${JSON.stringify(command)}\n`

  it('refuses allocations that name no services, both, a malformed or an empty selection', async () => {
    const { ctx } = fixture()
    const before = (await listAllRecords(ctx.db, 'allocation')).length
    const base = { community: n.lofar, amount: 1, unit: 'core-hours' }
    await rejectsWith(
      addRecord(ctx, 'allocation', { name: uniqueName('a'), ...base }),
      'VALIDATION_FAILED',
      /services/,
    )
    await rejectsWith(
      addRecord(ctx, 'allocation', {
        name: uniqueName('a'),
        ...base,
        service: n.svcA,
        services: `name=${n.svcA}`,
      }),
      'VALIDATION_FAILED',
      /either service or services/,
    )
    await rejectsWith(
      addRecord(ctx, 'allocation', { name: uniqueName('a'), ...base, services: 'infra=(' }),
      'VALIDATION_FAILED',
      /services: endpoint expression/,
    )
    await rejectsWith(
      addRecord(ctx, 'allocation', { name: uniqueName('a'), ...base, services: 'country=XX' }),
      'VALIDATION_FAILED',
      /selects no compute or storage service/,
    )
    await rejectsWith(
      addRecord(ctx, 'allocation', { name: uniqueName('a'), ...base, services: 'x'.repeat(1001) }),
      'VALIDATION_FAILED',
    )
    // Wrong types and unknown units in a catalogue file are refused by its schema.
    for (const bad of [
      'amount: lots',
      'grants: [{ unit: furlongs, amount: 1 }]',
      'example: maybe',
    ]) {
      const content = `allocations:\n  - name: ${uniqueName('a')}\n    community: ${n.lofar}\n    services: infra=${n.infra}\n    unit: core-hours\n    ${bad.startsWith('amount') ? '' : 'amount: 1\n    '}${bad}\n`
      await rejectsWith(
        importCatalog(ctx, { files: [{ path: 'bad.yaml', content }] }),
        'IMPORT_INVALID',
      )
    }
    assert.equal((await listAllRecords(ctx.db, 'allocation')).length, before)
  })

  it('is consumed on both sites it spans, then refuses both, saying why', async () => {
    const { ctx } = fixture()
    // A first task on site A uses a little of the grant.
    const first = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: workflow('first', n.svcA, ['true']),
    })
    assert.equal((await runUntilFinished(ctx, [engine], first.id)).state, 'succeeded')
    forgetCatalogueView(ctx.db)
    const onA = await explainTask(ctx, first.id, 't')
    assert.match(
      onA.placement.find((d) => d.site === n.svcA)?.reasons.join(' ') ?? '',
      new RegExp(`allocation: charged to ${n.alloc}`),
    )
    // Site B is covered by the same allocation and still has room: a second task runs there.
    const second = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: workflow('second', n.svcB, ['sleep', '1']),
    })
    assert.equal((await runUntilFinished(ctx, [engine], second.id)).state, 'succeeded')
    forgetCatalogueView(ctx.db)

    // Both were charged to the one allocation, one task on each site.
    const byAllocation = await usageReport(ctx, { groupBy: 'allocation' })
    const row = byAllocation.rows.find((r) => r.key === n.alloc)
    assert.equal(row?.tasks, 2)
    assert.ok((row?.coreHours ?? 0) * 3600 >= 1, 'the second task ran a second')
    const bySite = await usageReport(ctx, { groupBy: 'site', allocation: n.alloc })
    assert.deepEqual(
      bySite.rows.map((r) => [r.key, r.tasks]).sort(),
      [
        [n.svcA, 1],
        [n.svcB, 1],
      ].sort(),
    )
    const apel = await apelSummary(ctx, { allocation: n.alloc })
    assert.equal(apel.match(new RegExp(`VOGroup: /${n.lofar}/${n.alloc}`, 'g'))?.length, 2)

    const [use] = await allocationUsage(ctx, { allocation: n.alloc })
    assert.equal(use?.tasks, 2)
    assert.deepEqual(use?.coveredServices.sort(), [n.svcA, n.svcB].sort())
    assert.deepEqual(
      use?.grants.map((g) => g.unit),
      ['core-hours', 'tb'],
    )
    assert.ok((use?.grants[0]?.left ?? 1) < 0, 'spent')
    assert.equal(use?.burnDown.at(-1)?.used, use?.grants[0]?.used)
    await rejectsWith(allocationUsage(ctx, { allocation: 'nope' }), 'ALLOCATION_NOT_FOUND')

    // Now spent: a third task, free to go anywhere, is refused on both with the allocation named.
    const third = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: workflow('third', null, ['true']),
    })
    assert.equal((await runUntilFinished(ctx, [engine], third.id)).state, 'failed')
    const [task] = (await listTasks(ctx, third.id, {})).items
    assert.match(task?.reason ?? '', /no allocation left/)
    const explained = await explainTask(ctx, third.id, 't')
    for (const svc of [n.svcA, n.svcB]) {
      const d = explained.placement.find((x) => x.site === svc)
      assert.equal(d?.eligible, false)
      assert.match(
        d?.reasons.join(' ') ?? '',
        new RegExp(
          `allocation of ${n.lofar} exhausted \\(${n.alloc}: -?[0-9.]+ of [0-9.]+ core-hours left`,
        ),
      )
    }
  })

  it('an example allocation limits its holder but leaves the service open; a real one closes it', async () => {
    const { ctx } = fixture()
    await addCommunity(ctx, { name: n.cms, title: 'CMS', field: 'High-energy physics' })
    await addRecord(ctx, 'site', {
      name: n.siteC,
      title: n.siteC,
      infrastructure: n.other,
      country: 'NL',
    })
    await addRecord(ctx, 'computeService', {
      name: n.svcC,
      title: n.svcC,
      infrastructure: n.other,
      site: n.siteC,
      batchSystem: 'local',
      cores: 2,
      memoryPerCoreGB: 2,
    })
    await putComputeSite(ctx, {
      name: n.svcC,
      computeService: n.svcC,
      executor: 'local',
      config: { root: tempDir('continuum-runs-') },
      cores: 1,
      memoryPerCoreMb: 1,
    })
    await addRecord(ctx, 'allocation', {
      name: uniqueName('example'),
      community: n.cms,
      services: `name=${n.svcC}`,
      amount: 0.5 / 3600,
      unit: 'core-hours',
      example: true,
    })
    forgetCatalogueView(ctx.db)
    const run = async (name: string, community: string, command: string[]) => {
      const wf = await submitWorkflow(ctx, {
        workdir: tempDir(),
        source: `name: ${name}\ncommunity: ${community}\ntasks:\n  - name: t\n    site: ${n.svcC}\n    command: ${JSON.stringify(command)}\n`,
      })
      const state = (await runUntilFinished(ctx, [engine], wf.id)).state
      forgetCatalogueView(ctx.db)
      return { wf, state }
    }
    // LOFAR holds nothing on svc-c: the example allocation does not shut it out.
    assert.equal((await run('open-1', n.lofar, ['true'])).state, 'succeeded')
    // CMS spends its example allocation, then is refused there; LOFAR still is not.
    assert.equal((await run('holder-1', n.cms, ['sleep', '1'])).state, 'succeeded')
    const spent = await run('holder-2', n.cms, ['true'])
    assert.equal(spent.state, 'failed')
    const why = await explainTask(ctx, spent.wf.id, 't')
    assert.match(
      why.placement.find((d) => d.site === n.svcC)?.reasons.join(' ') ?? '',
      new RegExp(`allocation of ${n.cms} exhausted`),
    )
    assert.equal((await run('open-2', n.lofar, ['true'])).state, 'succeeded')

    // A real allocation on the same service makes it one for allocation holders only.
    await addRecord(ctx, 'allocation', {
      name: uniqueName('real'),
      community: n.cms,
      services: `name=${n.svcC}`,
      amount: 100,
      unit: 'core-hours',
    })
    forgetCatalogueView(ctx.db)
    const closed = await run('closed', n.lofar, ['true'])
    assert.equal(closed.state, 'failed')
    const refused = await explainTask(ctx, closed.wf.id, 't')
    assert.match(
      refused.placement.find((d) => d.site === n.svcC)?.reasons.join(' ') ?? '',
      new RegExp(`${n.lofar} has no allocation on ${n.svcC}`),
    )
    assert.equal((await run('holder-3', n.cms, ['true'])).state, 'succeeded')
  })
})
