/**
 * What an allocation counts does not shrink when its sources go (issue 20): the byte-days a
 * deleted rule's locks held stay counted (and stop growing), and the bytes a pruned transfer
 * copied stay counted. Both backends, real POSIX endpoints and the real transfer agent.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import {
  addRule,
  addScope,
  deleteRule,
  deterministicPath,
  heldUnder,
  registerReplicas,
} from '../src/data/index.js'
import {
  digestOf,
  listTransfers,
  pruneTransferHistory,
  TransferAgent,
  transferredTo,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

const day = 86_400_000

describeEachBackend('usage ledgers for allocations', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())

  it("keeps a deleted rule's byte-days and a pruned transfer's bytes", async () => {
    const { ctx, clock } = fixture()
    const src = await storage.add(ctx, {})
    const dst = await storage.add(ctx, {})
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    const since = clock.now()
    const rules: string[] = []
    for (const name of ['a', 'b']) {
      const data = randomData(1000)
      const file = path.join(storage.dirOf(src), deterministicPath({ scope, name }))
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, data)
      const digest = await digestOf(bytesOf(data))
      await registerReplicas(ctx, { endpoint: src.name, replicas: [{ scope, name, ...digest }] })
      const rule = await addRule(ctx, { scope, name, copies: 1, expression: dst.name })
      rules.push(rule.id)
    }
    const account = (await listTransfers(ctx, { scope }))[0]!.community
    assert.equal(await new TransferAgent(ctx, { workerId: 'ledger' }).runOnce(), 2)
    const copied = await transferredTo(ctx, account, [dst.id], since)
    assert.equal(copied, 2000)

    // Two days held: 2 × 1000 bytes × 2 days.
    clock.advance(2 * day)
    let held = await heldUnder(ctx, account, [dst], since)
    assert.equal(held.heldBytes, 2000)
    assert.ok(Math.abs(held.byteDays - 4000) < 1, String(held.byteDays))

    // One rule goes: its 2,000 byte-days stay counted and stop growing; the other keeps growing.
    await deleteRule(ctx, rules[0]!)
    clock.advance(1 * day)
    held = await heldUnder(ctx, account, [dst], since)
    assert.equal(held.heldBytes, 1000)
    assert.ok(Math.abs(held.byteDays - (2000 + 3000)) < 1, String(held.byteDays))
    // A window that starts after the deletion counts only what is still held in it.
    const later = await heldUnder(ctx, account, [dst], new Date(clock.now().getTime() - day / 2))
    assert.ok(Math.abs(later.byteDays - 500) < 1, String(later.byteDays))

    // The transfers leave the history; what they copied stays counted, once.
    clock.advance(40 * day)
    assert.equal(await pruneTransferHistory(ctx, { days: 30, limit: 100 }), 2)
    assert.equal((await listTransfers(ctx, { scope })).length, 0)
    assert.equal(await transferredTo(ctx, account, [dst.id], since), 2000)
    assert.equal(await transferredTo(ctx, account, [src.id], since), 0)
    assert.equal(await transferredTo(ctx, `${account}-other`, [dst.id], since), 0)
    assert.equal(await transferredTo(ctx, account, [dst.id], clock.now()), 0)
  })
})
