/**
 * The transfer scheduler on real POSIX endpoints, on both database backends: per-link limits,
 * community and activity shares, classified failures with a reason per file and an attempt
 * history, a retry from another source, back-off, the optimiser's persisted decisions, the
 * tokens' scopes, and the statistics the CLI, the API and /metrics show.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { decodeJwt } from 'jose'
import type { Endpoint } from '../src/contract/index.js'
import {
  addDid,
  addRule,
  addScope,
  attachDids,
  deterministicPath,
  getRule,
  listRuleLocks,
  registerReplicas,
} from '../src/data/index.js'
import type { Context } from '../src/db/index.js'
import {
  chooseTransfers,
  digestOf,
  TransferAgent,
  claimTransfers,
  getTransfer,
  getTransferStats,
  listTransfers,
  setTransferLink,
  setTransferShare,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { recordingMinter } from './support/transfer-tokens.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('transfer scheduler', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())

  /** Real bytes on an endpoint, registered as its replica (unless `onDisk` is false). */
  async function put(
    ctx: Context,
    endpoint: Endpoint,
    did: { scope: string; name: string },
    data: Buffer,
    options: { onDisk?: boolean; adler32?: string } = {},
  ): Promise<void> {
    if (options.onDisk !== false) {
      const file = path.join(storage.dirOf(endpoint), deterministicPath(did))
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, data)
    }
    const digest = await digestOf(bytesOf(data))
    await registerReplicas(ctx, {
      endpoint: endpoint.name,
      replicas: [{ ...did, bytes: digest.bytes, adler32: options.adler32 ?? digest.adler32 }],
    })
  }

  async function dataset(ctx: Context, endpoint: Endpoint, scope: string, n: number) {
    await addScope(ctx, { name: scope })
    await addDid(ctx, { scope, name: 'ds', type: 'dataset' })
    for (let i = 0; i < n; i++) await put(ctx, endpoint, { scope, name: `f${i}` }, randomData(1000))
    await attachDids(
      ctx,
      { scope, name: 'ds' },
      { children: Array.from({ length: n }, (_, i) => ({ scope, name: `f${i}` })) },
    )
  }

  it('keeps each link within its limit and splits it between communities by share', async () => {
    const { ctx, clock } = fixture()
    const src = await storage.add(ctx, { site: 'A' })
    const dst = await storage.add(ctx, { site: 'B' })
    const [atlas, cms] = [uniqueScope('atlas'), uniqueScope('cms')]
    await dataset(ctx, src, atlas, 12)
    await dataset(ctx, src, cms, 12)
    await addRule(ctx, {
      scope: atlas,
      name: 'ds',
      copies: 1,
      expression: dst.name,
      account: 'atlas',
    })
    await addRule(ctx, { scope: cms, name: 'ds', copies: 1, expression: dst.name, account: 'cms' })
    await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 8 })
    await setTransferShare(ctx, { kind: 'community', name: 'atlas', weight: 3 })

    const claimed = await claimTransfers(ctx, 'w1', {
      leaseMs: 60_000,
      limit: 100,
      choose: chooseTransfers,
    })
    assert.equal(claimed.length, 8, 'the link limit holds')
    const rows = await Promise.all(claimed.map((id) => getTransfer(ctx, id)))
    assert.deepEqual(
      [
        rows.filter((t) => t.community === 'atlas').length,
        rows.filter((t) => t.community === 'cms').length,
      ],
      [6, 2],
    )
    assert.ok(rows.every((t) => t.source === src.name))
    assert.equal(
      (await claimTransfers(ctx, 'w2', { leaseMs: 60_000, limit: 100, choose: chooseTransfers }))
        .length,
      0,
    )

    const link = (await getTransferStats(ctx)).links.find(
      (l) => l.source === src.name && l.destination === dst.name,
    )!
    assert.deepEqual([link.active, link.queued, link.activeLimit, link.maxActive], [8, 16, 8, 8])
    const [first] = await getTransfer(ctx, claimed[0]!).then((t) => t.events)
    assert.equal(first?.to, 'submitted')

    // Drain the queue (the next tests share the database): leases run out, the work is redone.
    clock.advance(61_000)
    const agent = new TransferAgent(ctx, { workerId: 'w3' })
    while ((await agent.runOnce()) > 0);
    assert.equal((await listTransfers(ctx, { state: 'done' })).length, 24)
  })

  it('takes a higher-priority rule first within a queue, whatever its age', async () => {
    const { ctx, clock } = fixture()
    const [src, dst] = [await storage.add(ctx, {}), await storage.add(ctx, {})]
    const [low, high] = [uniqueScope('low'), uniqueScope('high')]
    await dataset(ctx, src, low, 5)
    await dataset(ctx, src, high, 5)
    await addRule(ctx, { scope: low, name: 'ds', copies: 1, expression: dst.name })
    clock.advance(1000)
    const rule = await addRule(ctx, {
      scope: high,
      name: 'ds',
      copies: 1,
      expression: dst.name,
      priority: 5,
    })
    assert.equal(rule.priority, 5)
    await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 5 })
    const claimed = await claimTransfers(ctx, 'w', {
      leaseMs: 60_000,
      limit: 100,
      choose: chooseTransfers,
    })
    const rows = await Promise.all(claimed.map((id) => getTransfer(ctx, id)))
    assert.deepEqual(
      rows.map((t) => [t.scope, t.priority]),
      Array(5).fill([high, 5]),
    )
    clock.advance(61_000)
    const agent = new TransferAgent(ctx, { workerId: 'w2' })
    while ((await agent.runOnce()) > 0);
  })

  it('says why a file failed: source missing is retried from another source, else not at all', async () => {
    const { ctx, clock } = fixture()
    const [a, b, dst] = [
      await storage.add(ctx, {}),
      await storage.add(ctx, {}),
      await storage.add(ctx, {}),
    ]
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    const data = randomData(5000)
    // Registered on A but gone from its disk; intact on B.
    await put(ctx, a, { scope, name: 'two' }, data, { onDisk: false })
    await put(ctx, b, { scope, name: 'two' }, data)
    await put(ctx, a, { scope, name: 'one' }, randomData(10), { onDisk: false })
    const agent = new TransferAgent(ctx, { workerId: 'w', backoffMs: 1000, random: () => 1 })
    const rule2 = await addRule(ctx, {
      scope,
      name: 'two',
      copies: 1,
      expression: dst.name,
      sourceExpression: `${a.name}|${b.name}`,
    })
    const rule1 = await addRule(ctx, { scope, name: 'one', copies: 1, expression: dst.name })

    // The request for 'two' waits on A→dst or B→dst (lowest id first); force A by failing B's first.
    await agent.runOnce()
    clock.advance(2000)
    await agent.runOnce()
    const [two] = await listTransfers(ctx, { rule: rule2.id })
    const detail = await getTransfer(ctx, two!.id)
    assert.equal(detail.state, 'done', JSON.stringify(detail.history))
    assert.equal((await getRule(ctx, rule2.id)).state, 'ok')
    if (detail.history.length === 2) {
      assert.deepEqual(
        detail.history.map((h) => [h.source, h.outcome, h.failureClass]),
        [
          [a.name, 'failed', 'source_missing'],
          [b.name, 'done', null],
        ],
      )
    } else {
      assert.deepEqual(
        detail.history.map((h) => [h.source, h.outcome]),
        [[b.name, 'done']],
      )
    }

    const [one] = await listTransfers(ctx, { rule: rule1.id })
    const failed = await getTransfer(ctx, one!.id)
    assert.deepEqual(
      [failed.state, failed.attempts, failed.failureClass],
      ['failed', 1, 'source_missing'],
    )
    assert.equal(failed.history[0]?.source, a.name)
    assert.ok(failed.history[0].durationMs >= 0)
    assert.deepEqual(
      failed.events.map((e) => e.to),
      ['submitted', 'failed'],
    )
    const [lock] = await listRuleLocks(ctx, rule1.id)
    assert.match(lock!.reason!, /^transfer failed, source_missing: .*not retried/)
    assert.equal((await getRule(ctx, rule1.id)).state, 'stuck')
  })

  it('retries a checksum mismatch with exponential back-off and jitter, then gives up', async () => {
    const { ctx, clock } = fixture()
    const [src, dst] = [await storage.add(ctx, {}), await storage.add(ctx, {})]
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await put(ctx, src, { scope, name: 'bad' }, randomData(3000), { adler32: '00000001' })
    const rule = await addRule(ctx, { scope, name: 'bad', copies: 1, expression: dst.name })
    const agent = new TransferAgent(ctx, { workerId: 'w', backoffMs: 10_000, random: () => 0.5 })
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      assert.equal(await agent.runOnce(), 1)
      const [t] = await listTransfers(ctx, { rule: rule.id })
      if (t!.state === 'queued') {
        delays.push(new Date(t!.notBefore).getTime() - clock.now().getTime())
        assert.equal(await agent.runOnce(), 0, 'not before its back-off')
        clock.advance(delays.at(-1)!)
      }
    }
    assert.deepEqual(delays, [7500, 15_000, 30_000], '3/4 of 10 s·2^(n-1)')
    const [t] = await listTransfers(ctx, { rule: rule.id })
    assert.deepEqual([t!.state, t!.attempts, t!.failureClass], ['failed', 4, 'checksum_mismatch'])
    const [lock] = await listRuleLocks(ctx, rule.id)
    assert.match(lock!.reason!, /checksum_mismatch: .*after 4 attempts/)
  })

  it('moves the link limit with the optimiser and keeps its decision', async () => {
    const { ctx, clock } = fixture()
    const [src, dst] = [await storage.add(ctx, {}), await storage.add(ctx, {})]
    const scope = uniqueScope()
    await dataset(ctx, src, scope, 10)
    await addRule(ctx, { scope, name: 'ds', copies: 1, expression: dst.name })
    await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 20 })
    const agent = new TransferAgent(ctx, { workerId: 'w', optimiserIntervalMs: 60_000 })
    await agent.optimise()
    // The link now has a first (idle) evaluation; 10 files, limit 8: saturated.
    assert.equal(await agent.runOnce(), 8)
    clock.advance(60_000)
    assert.ok((await agent.optimise()) >= 1)
    const link = (await getTransferStats(ctx)).links.find((l) => l.source === src.name)!
    assert.equal(link.activeLimit, 9)
    assert.match(link.lastDecision!, /saturated/)
    assert.equal(link.successRate, 1)
    assert.ok(link.throughputBps > 0)
    while ((await agent.runOnce()) > 0);
  })

  it('gives each transfer a short-lived token with the narrowest storage scopes', async () => {
    const { ctx } = fixture()
    const [src, dst] = [await storage.add(ctx, {}), await storage.add(ctx, {})]
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await put(ctx, src, { scope, name: 'tok' }, randomData(100))
    await addRule(ctx, { scope, name: 'tok', copies: 1, expression: dst.name })
    const { tokens, minted } = await recordingMinter(ctx.clock)
    assert.equal(await new TransferAgent(ctx, { workerId: 'w', tokens }).runOnce(), 1)
    assert.equal(minted.length, 1)
    const claims = decodeJwt(minted[0]!)
    const p = `/${deterministicPath({ scope, name: 'tok' })}`
    assert.equal(claims.scope, `storage.read:${p} storage.modify:${p}`)
    assert.deepEqual(claims.aud, [src.name, dst.name])
    assert.ok(claims.exp! - claims.iat! <= 600, 'minutes, not hours')
  })
})
