/**
 * Retention of the transfer history, on both database backends: finished requests older than
 * the retention period go with their attempts and events, a batch at a time, oldest first;
 * queued and recent ones stay; bad settings change nothing.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { addRule, addScope, deterministicPath, registerReplicas } from '../src/data/index.js'
import {
  digestOf,
  TransferAgent,
  TransferHistoryAgent,
  getTransfer,
  listTransfers,
  pruneTransferHistory,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('transfer history retention', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())

  it('prunes finished requests past the retention, with their history, and keeps the rest', async () => {
    const { ctx, clock } = fixture()
    const src = await storage.add(ctx, {})
    const dst = await storage.add(ctx, {})
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    const put = async (name: string, onDisk: boolean) => {
      const data = randomData(500)
      if (onDisk) {
        const file = path.join(storage.dirOf(src), deterministicPath({ scope, name }))
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, data)
      }
      const digest = await digestOf(bytesOf(data))
      await registerReplicas(ctx, { endpoint: src.name, replicas: [{ scope, name, ...digest }] })
      await addRule(ctx, { scope, name, copies: 1, expression: dst.name })
    }
    // Old: three done and one failed (its source file is missing), 40 days ago.
    for (const name of ['a', 'b', 'c']) await put(name, true)
    await put('missing', false)
    const agent = new TransferAgent(ctx, { workerId: 'w' })
    assert.equal(await agent.runOnce(), 4)
    const old = await listTransfers(ctx, { scope })
    assert.deepEqual(old.map((t) => t.state).sort(), ['done', 'done', 'done', 'failed'])
    clock.advance(40 * 86_400_000)
    // Recent: one done today; and one still queued (its source is not there yet).
    await put('today', true)
    assert.equal(await agent.runOnce(), 1)
    const queuedScope = uniqueScope()
    await addScope(ctx, { name: queuedScope })
    await registerReplicas(ctx, {
      endpoint: src.name,
      replicas: [{ scope: queuedScope, name: 'q', bytes: 10, adler32: '0a0b0c0d' }],
    })
    await addRule(ctx, { scope: queuedScope, name: 'q', copies: 1, expression: dst.name })

    await rejectsWith(pruneTransferHistory(ctx, { days: 0, limit: 10 }), 'VALIDATION_FAILED')
    await rejectsWith(pruneTransferHistory(ctx, { days: 30, limit: 0 }), 'VALIDATION_FAILED')
    assert.equal((await listTransfers(ctx, { scope })).length, 5, 'refused calls deleted nothing')

    // Two per round: the oldest first, until nothing past the retention is left.
    const history = new TransferHistoryAgent(ctx, { days: 30, batch: 2 })
    const rounds: number[] = []
    for (let n = await history.runOnce(); n > 0; n = await history.runOnce()) rounds.push(n)
    assert.ok(rounds.reduce((a, b) => a + b, 0) >= 4, rounds.join(','))
    assert.ok(rounds.every((n) => n <= 2))

    const left = await listTransfers(ctx, { scope })
    assert.deepEqual(
      left.map((t) => [t.name, t.state]),
      [['today', 'done']],
    )
    await rejectsWith(getTransfer(ctx, old[0]!.id), 'TRANSFER_NOT_FOUND')
    assert.equal((await getTransfer(ctx, left[0]!.id)).history.length, 1)
    assert.equal((await listTransfers(ctx, { scope: queuedScope }))[0]?.state, 'queued')
  })
})
