/**
 * The "done when": a user uploads a dataset; a rule of 2 copies on country=DE|country=FR
 * places the bytes on two endpoints, survives a worker killed mid-way, and the reaper deletes
 * the bytes once the rule expires. Real files on POSIX endpoints, on both database backends.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import {
  addDid,
  addRule,
  addScope,
  attachDids,
  getRule,
  listReplicas,
  listRuleLocks,
  RuleEvaluatorAgent,
} from '../src/data/index.js'
import {
  digestOf,
  ProtocolRegistry,
  ReaperAgent,
  TransferAgent,
  uploadFile,
  claimTransfers,
  listTransfers,
  planTransfer,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('done when: 2 copies on country=DE|country=FR', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())

  it('places bytes on two endpoints, survives a killed worker, and reaps after expiry', async () => {
    const { ctx, clock } = fixture()
    const registry = new ProtocolRegistry()
    const de1 = await storage.add(ctx, { country: 'DE', tier: 1, type: 'disk' })
    const de2 = await storage.add(ctx, { country: 'DE', tier: 2, type: 'disk' })
    const fr = await storage.add(ctx, { country: 'FR', tier: 1, type: 'disk' })
    const it = await storage.add(ctx, { country: 'IT', tier: 1, type: 'disk' })
    const scope = uniqueScope('lofar')
    await addScope(ctx, { name: scope })

    // A user uploads three files to an Italian endpoint and groups them in a dataset.
    const files = [0, 1, 2].map((i) => ({
      name: `L2026_SB00${i}.MS`,
      data: randomData(200_000 + i * 1000),
    }))
    await addDid(ctx, { scope, name: 'L2026', type: 'dataset' })
    for (const f of files) {
      const replica = await uploadFile(
        ctx,
        registry,
        { scope, name: f.name, to: it.name },
        bytesOf(f.data),
      )
      assert.equal(replica.bytes, f.data.length)
      assert.equal(replica.adler32, (await digestOf(bytesOf(f.data))).adler32)
    }
    await attachDids(
      ctx,
      { scope, name: 'L2026' },
      { children: files.map((f) => ({ scope, name: f.name })) },
    )

    const rule = await addRule(ctx, {
      scope,
      name: 'L2026',
      copies: 2,
      expression: 'country=DE|country=FR',
      lifetimeSeconds: 3600,
    })
    assert.equal(rule.state, 'replicating')
    assert.equal(rule.locksReplicating, 6)
    const locks = await listRuleLocks(ctx, rule.id)
    const chosen = [...new Set(locks.map((l) => l.endpoint))].sort()
    assert.equal(chosen.length, 2, 'dataset grouping: every file on the same two endpoints')
    assert.ok(chosen.every((n) => [de1.name, de2.name, fr.name].includes(n)))
    assert.equal((await listTransfers(ctx, { scope, state: 'queued' })).length, 6)

    // Worker A claims everything, writes part of one file, and is killed.
    const claimed = await claimTransfers(ctx, 'worker-a', { leaseMs: 60_000, limit: 10 })
    assert.equal(claimed.length, 6)
    const plan = await planTransfer(ctx, claimed[0]!)
    const partial = new URL(plan.destination.urls[0]!).pathname
    mkdirSync(path.dirname(partial), { recursive: true })
    writeFileSync(`${partial}.part`, Buffer.from('half a file'))

    // Worker B finds nothing while A's lease holds, then takes over when it runs out.
    const b = new TransferAgent(ctx, { workerId: 'worker-b', registry, batch: 10 })
    assert.equal(await b.runOnce(), 0)
    clock.advance(61_000)
    assert.equal(await b.runOnce(), 6)
    const done = await getRule(ctx, rule.id)
    assert.equal(done.state, 'ok', JSON.stringify(await listRuleLocks(ctx, rule.id)))
    assert.equal(done.locksOk, 6)

    // The bytes are really there, on both chosen endpoints, and verify.
    for (const f of files) {
      const replicas = (await listReplicas(ctx, { scope, name: f.name })).filter((r) =>
        chosen.includes(r.endpoint),
      )
      assert.equal(replicas.length, 2)
      for (const r of replicas) {
        assert.equal(r.state, 'available')
        assert.deepEqual(readFileSync(new URL(r.urls[0]!)), f.data)
      }
    }
    assert.ok(!existsSync(`${partial}.part`), "the killed worker's partial file was replaced")
    // Nothing recorded twice: one transfer per replica, all done.
    const transfers = await listTransfers(ctx, { scope })
    assert.equal(transfers.length, 6)
    assert.ok(transfers.every((t) => t.state === 'done'))
    assert.equal(
      transfers.filter((t) => t.attempts === 2).length,
      6,
      'each was attempted by A, then by B',
    )

    // The rule expires; its replicas get tombstones; the reaper deletes after the grace period.
    clock.advance(3600_000)
    const evaluator = new RuleEvaluatorAgent(ctx, { workerId: 'worker-b' })
    assert.equal(await evaluator.runOnce(), 1)
    const reaper = new ReaperAgent(ctx, { registry, graceMs: 600_000 })
    assert.equal(await reaper.runOnce(), 0, 'grace period not over')
    clock.advance(600_001)
    assert.equal(
      await reaper.runOnce(),
      6,
      'the six rule copies; the uploads are kept by their upload rules',
    )
    for (const f of files) {
      assert.deepEqual(
        (await listReplicas(ctx, { scope, name: f.name })).map((r) => r.endpoint),
        [it.name],
      )
    }
    const filesOn = (dir: string) =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true })
            .map(String)
            .filter((p) => p.endsWith('.MS'))
        : []
    for (const e of [de1, de2, fr]) {
      assert.deepEqual(filesOn(storage.dirOf(e)), [], `no bytes left on ${e.name}`)
    }
    assert.equal(filesOn(storage.dirOf(it)).length, 3, 'the uploads stay')
  })
})
