/**
 * A restarted worker ends the leases of workers of its host that are gone (issue 16): their
 * transfers stop counting as active and are requeued, and their tasks are taken over, at once
 * rather than when the leases run out (five minutes for transfers). Leases of live workers and
 * of other hosts are left to run.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { addRule, addScope, deterministicPath, registerReplicas } from '../src/data/index.js'
import { isGoneLocalWorker, newWorkerId, workerProcess } from '../src/platform/index.js'
import { claimTransfers, digestOf, TransferAgent } from '../src/transfers/index.js'
import { endLeasesOfGoneWorkers } from '../src/worker/index.js'
import { submitWorkflow, WorkflowEngine } from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { makeLocalSite, printedLines, runUntilFinished, tempDir } from './support/workflows.js'

/** The id a worker of this host had, whose process has ended. */
function goneWorkerId(): string {
  const ended = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' })
  return `worker@${os.hostname()}:${Number(ended.stdout.trim())}:0123456789ab`
}

describe('worker ids', () => {
  it('name their host and process, and tell a gone local worker from the others', () => {
    const mine = newWorkerId('worker')
    assert.deepEqual(workerProcess(mine), { host: os.hostname(), pid: process.pid })
    assert.equal(isGoneLocalWorker(mine), false, 'this process is alive')
    assert.equal(isGoneLocalWorker(goneWorkerId()), true)
    assert.equal(isGoneLocalWorker(`worker@elsewhere.example:1234:0123456789ab`), false)
    assert.equal(isGoneLocalWorker('w1'), false, 'ids of another shape are left to their leases')
  })
})

describeEachBackend('leases of gone workers', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage?.cleanup())

  it('requeues a gone worker’s transfer at once; a live worker’s claim stays', async () => {
    const { ctx } = fixture()
    const a = await storage.add(ctx, { site: 'gone-a' })
    const b = await storage.add(ctx, { site: 'gone-b' })
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    for (const name of ['first', 'second']) {
      const data = randomData(3000)
      const file = path.join(storage.dirOf(a), deterministicPath({ scope, name }))
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, data)
      await registerReplicas(ctx, {
        endpoint: a.name,
        replicas: [{ scope, name, ...(await digestOf(bytesOf(data))) }],
      })
    }
    await addRule(ctx, { scope, name: 'first', copies: 1, expression: b.name })
    const gone = goneWorkerId()
    const claimedByGone = await claimTransfers(ctx, gone, { leaseMs: 3_600_000, limit: 1 })
    assert.equal(claimedByGone.length, 1)
    await addRule(ctx, { scope, name: 'second', copies: 1, expression: b.name })
    const live = newWorkerId('worker')
    const claimedByLive = await claimTransfers(ctx, live, { leaseMs: 3_600_000, limit: 1 })
    assert.equal(claimedByLive.length, 1)

    await endLeasesOfGoneWorkers(ctx)
    const agent = new TransferAgent(ctx, { workerId: newWorkerId('worker') })
    assert.equal(await agent.runOnce(), 1, 'the gone worker’s transfer is taken at once')
    const rows = await ctx.db
      .selectFrom('transfer_requests')
      .select(['id', 'state', 'claimed_by'])
      .where('scope', '=', scope)
      .execute()
    assert.equal(rows.find((r) => r.id === claimedByGone[0])?.state, 'done')
    const stillLive = rows.find((r) => r.id === claimedByLive[0])
    assert.equal(stillLive?.state, 'submitted')
    assert.equal(stillLive?.claimed_by, live, 'a live worker keeps its lease')
  })

  it('lets a restarted worker take over a gone worker’s tasks at once', async () => {
    const { ctx } = fixture()
    const { name: site, root } = await makeLocalSite(ctx, { cores: 2 })
    const dir = tempDir()
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: `name: gone\ndefaults: { site: ${site} }\ntasks:\n  - name: a\n    scatter: { range: 2 }\n    command: [sh, -c, 'echo \${{ item }}']\n`,
    })
    // The first worker claims the tasks for an hour and is never heard of again.
    const dying = new WorkflowEngine(ctx, { workerId: goneWorkerId(), leaseMs: 3_600_000 })
    assert.ok((await dying.runOnce()) > 0)
    await endLeasesOfGoneWorkers(ctx)
    const other = new WorkflowEngine(ctx, { workerId: newWorkerId('worker'), leaseMs: 60_000 })
    assert.equal((await runUntilFinished(ctx, [other], wf.id)).state, 'succeeded')
    const lines = printedLines(root).sort()
    assert.deepEqual(lines, ['0', '1'])
  })
})
