/** Rules, quotas, growth, bad replicas, stuck reasons, uploads and downloads over HTTP. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { RuleEvaluatorAgent } from '../src/data/index.js'
import { digestOf, ProtocolRegistry, ReaperAgent, TransferAgent } from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('replication rules over HTTP', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let storage: TempStorage
  let agent: TransferAgent
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    client = server.client
    storage = tempStorage()
    agent = new TransferAgent(fixture().ctx, {
      workerId: 'test-worker',
      registry: new ProtocolRegistry(),
      batch: 20,
      backoffMs: 1000,
    })
  })
  after(async () => {
    await server.close()
    storage.cleanup()
  })

  /** A tag attribute per test keeps expressions apart in the shared database. */
  async function setup(countries: string[]) {
    const tag = `T${Math.random().toString(36).slice(2, 9)}`
    const endpoints = []
    for (const country of countries) {
      endpoints.push(await storage.add(fixture().ctx, { country, type: 'disk', [tag]: true }))
    }
    const scope = uniqueScope()
    await client.data.addScope({ name: scope })
    return { tag, endpoints, scope }
  }

  async function upload(scope: string, name: string, to: string, data = randomData(50_000)) {
    const replica = await client.data.upload({ scope, name }, new Uint8Array(data), {
      to,
      bytes: data.length,
    })
    return { replica, data }
  }

  it('uploads with checksums, refuses a wrong declared checksum and leaves nothing behind', async () => {
    const { endpoints, scope } = await setup(['DE'])
    const { replica, data } = await upload(scope, 'u1', endpoints[0]!.name)
    assert.equal(replica.adler32, (await digestOf(bytesOf(data))).adler32)
    assert.equal(replica.state, 'available')

    const bad = randomData(1000)
    await rejectsWith(
      client.data.upload({ scope, name: 'u2' }, new Uint8Array(bad), {
        to: endpoints[0]!.name,
        adler32: '00000000',
      }),
      'CHECKSUM_MISMATCH',
    )
    await rejectsWith(client.data.getDid({ scope, name: 'u2' }), 'DID_NOT_FOUND')
    const left = readdirSync(storage.dirOf(endpoints[0]!), { recursive: true })
      .map(String)
      .filter((p) => p.includes('u2'))
    assert.deepEqual(left, [], 'no partial file')
    await rejectsWith(
      client.data.upload({ scope, name: 'a..b' }, new Uint8Array(bad), { to: endpoints[0]!.name }),
      'DID_INVALID',
    )
    await rejectsWith(
      client.data.upload({ scope, name: 'u3' }, new Uint8Array(bad), { to: 'country=XX' }),
      'EXPRESSION_EMPTY',
    )
    await rejectsWith(
      client.data.upload({ scope, name: 'u1' }, new Uint8Array(bad), { to: endpoints[0]!.name }),
      'REPLICA_ALREADY_EXISTS',
    )

    const dl = await client.data.download({ scope, name: 'u1' })
    assert.deepEqual(Buffer.from(await dl.response.arrayBuffer()), data)
    assert.equal(dl.adler32, replica.adler32)
  })

  it('creates only the missing replicas, checks quotas with the numbers, and grows with its dataset', async () => {
    const { tag, endpoints, scope } = await setup(['DE', 'DE', 'FR'])
    const [de1, de2, fr] = endpoints as [
      (typeof endpoints)[0],
      (typeof endpoints)[0],
      (typeof endpoints)[0],
    ]
    await client.data.addDid({ scope, name: 'ds', type: 'dataset' })
    for (const n of ['f1', 'f2']) await upload(scope, n, de1.name)
    await client.data.attach({ scope, name: 'ds' }, [
      { scope, name: 'f1' },
      { scope, name: 'f2' },
    ])

    await client.data.setQuota({ owner: 'atlas', endpoint: fr.name, bytes: 60_000 })
    const err = await rejectsWith(
      client.data.addRule({
        scope,
        name: 'ds',
        copies: 2,
        expression: `${tag}&(country=DE|country=FR)\\${de2.name}`,
        account: 'atlas',
      }),
      'QUOTA_EXCEEDED',
      'quota is 60000',
    )
    assert.deepEqual(
      [err.details.quotaBytes, err.details.neededBytes, err.details.usedBytes],
      [60_000, 100_000, 0],
    )
    assert.equal((await client.data.listRules({ scope, name: 'ds' })).length, 0, 'nothing created')
    await client.data.setQuota({ owner: 'atlas', endpoint: fr.name, bytes: 1e9 })

    const rule = await client.data.addRule({
      scope,
      name: 'ds',
      copies: 2,
      expression: `${tag}&(country=DE|country=FR)`,
      account: 'atlas',
      grouping: 'all',
    })
    const locks = await client.data.listRuleLocks(rule.id)
    assert.ok(
      locks.filter((l) => l.endpoint === de1.name).every((l) => l.state === 'ok'),
      'existing replicas are reused',
    )
    assert.equal(rule.locksOk, 2)
    assert.equal(rule.locksReplicating, 2, 'one new copy per file, no more')
    assert.equal(
      (await client.data.listQuotas('atlas')).find(
        (q) => q.endpoint === fr.name || q.endpoint === de2.name,
      )?.usedBytes !== undefined,
      true,
    )
    await rejectsWith(
      client.data.addRule({ scope, name: 'ds', copies: 5, expression: `${tag}` }),
      'RULE_UNSATISFIABLE',
    )
    await rejectsWith(
      client.data.addRule({ scope, name: 'ds', copies: 1, expression: `${tag}&(` }),
      'EXPRESSION_INVALID',
    )

    assert.equal(await agent.runOnce(), 2)
    assert.equal((await client.data.getRule(rule.id)).state, 'ok')

    // Growth: a third file attached to the dataset gets the rule's two copies.
    await upload(scope, 'f3', de1.name)
    await client.data.attach({ scope, name: 'ds' }, [{ scope, name: 'f3' }])
    assert.equal(await new RuleEvaluatorAgent(fixture().ctx, { workerId: 'w' }).runOnce(), 1)
    const grown = await client.data.getRule(rule.id)
    assert.equal(grown.locksOk + grown.locksReplicating, 6)
    assert.equal(await agent.runOnce(), 1)
    assert.equal((await client.data.getRule(rule.id)).state, 'ok')
    const targets = new Set((await client.data.listRuleLocks(rule.id)).map((l) => l.endpoint))
    assert.equal(targets.size, 2, 'grouping all: the new file follows the others')
  })

  it('re-replicates a replica declared bad, and says why a file is stuck', async () => {
    const { tag, endpoints, scope } = await setup(['DE', 'FR'])
    const [de, fr] = endpoints as [(typeof endpoints)[0], (typeof endpoints)[0]]
    const { data } = await upload(scope, 'g1', de.name)
    const rule = await client.data.addRule({ scope, name: 'g1', copies: 2, expression: tag })
    assert.equal(await agent.runOnce(), 1)
    assert.equal((await client.data.getRule(rule.id)).state, 'ok')

    // The FR copy is lost on disk and declared bad: the rule copies it again from DE.
    const frCopy = (await client.data.listReplicas({ scope, name: 'g1' })).find(
      (r) => r.endpoint === fr.name,
    )!
    rmSync(new URL(frCopy.urls[0]!))
    assert.deepEqual(
      await client.data.declareBad({ scope, name: 'g1', endpoint: fr.name, reason: 'lost disk' }),
      { transfers: 1 },
    )
    assert.equal((await client.data.getRule(rule.id)).state, 'replicating')
    assert.equal(await agent.runOnce(), 1)
    assert.equal((await client.data.getRule(rule.id)).state, 'ok')
    const dl = await client.data.download({ scope, name: 'g1' }, [de.name])
    assert.equal(dl.endpoint, fr.name)
    assert.deepEqual(Buffer.from(await dl.response.arrayBuffer()), data)

    // Now both copies are lost: the transfer has no source and, after its retries, is stuck.
    for (const r of await client.data.listReplicas({ scope, name: 'g1' })) {
      rmSync(new URL(r.urls[0]!))
    }
    await client.data.declareBad({ scope, name: 'g1', endpoint: de.name, reason: 'lost' })
    await client.data.declareBad({ scope, name: 'g1', endpoint: fr.name, reason: 'lost' })
    for (let attempt = 0; attempt < 4; attempt++) {
      await agent.runOnce()
      fixture().clock.advance(60_000)
    }
    const stuck = await client.data.getRule(rule.id)
    assert.equal(stuck.state, 'stuck')
    const reasons = (await client.data.listRuleLocks(rule.id)).map((l) => l.reason)
    assert.ok(
      reasons.every((r) => r !== null && /no available source replica/.test(r)),
      JSON.stringify(reasons),
    )
    const failed = await client.data.listTransfers({ scope, state: 'failed' })
    // No source at all is not retried (docs/transfers.md): one attempt, classified.
    assert.ok(
      failed.length >= 1 && failed.every((t) => t.attempts === 1 && t.failureClass === 'no_source'),
    )
    await rejectsWith(client.data.download({ scope, name: 'g1' }), 'REPLICA_NOT_FOUND')

    // An hour later the repairer gives the stuck files another chance.
    fixture().clock.advance(3_600_001)
    assert.ok((await new RuleEvaluatorAgent(fixture().ctx, { workerId: 'w' }).runOnce()) >= 2)
    assert.equal((await client.data.getRule(rule.id)).state, 'replicating')
    assert.equal(
      (await client.data.listTransfers({ scope, name: 'g1', state: 'queued' })).length,
      2,
    )
    await client.data.deleteRule(rule.id)
    await client.data.deleteRule((await client.data.listRules({ scope, name: 'g1' }))[0]!.id)
    assert.equal(
      (await client.data.listTransfers({ scope, name: 'g1', state: 'queued' })).length,
      0,
      'cancelled with the rules',
    )
  })

  it('deletes a rule: locks released, replicas tombstoned, queued transfers cancelled', async () => {
    const { tag, endpoints, scope } = await setup(['DE', 'FR'])
    await upload(scope, 'h1', endpoints[0]!.name)
    const rule = await client.data.addRule({ scope, name: 'h1', copies: 2, expression: tag })
    await client.data.deleteRule(rule.id)
    await rejectsWith(client.data.getRule(rule.id), 'RULE_NOT_FOUND')
    const transfers = await client.data.listTransfers({ scope, name: 'h1' })
    assert.deepEqual(
      transfers.map((t) => t.state),
      ['cancelled'],
    )
    const replicas = await client.data.listReplicas({ scope, name: 'h1' })
    assert.deepEqual(
      replicas.map((r) => r.lockCount).sort(),
      [0, 1],
      'the upload rule still holds the first copy',
    )
    assert.ok(
      replicas.filter((r) => r.endpoint === endpoints[1]!.name).every((r) => r.tombstone !== null),
    )
    assert.ok(
      existsSync(new URL(replicas.find((r) => r.endpoint === endpoints[0]!.name)!.urls[0]!)),
    )
  })

  it('reaps only after the grace period, and on endpoints with a free-space target only when space is short', async () => {
    const { tag, endpoints, scope } = await setup(['DE', 'FR'])
    const [de, fr] = endpoints as [(typeof endpoints)[0], (typeof endpoints)[0]]
    await client.data.updateEndpoint(fr.name, {
      capacityBytes: 1e9,
      attributes: { reaper_free_gb: 0.5 },
    })
    await upload(scope, 'r1', de.name)
    const rule = await client.data.addRule({ scope, name: 'r1', copies: 2, expression: tag })
    assert.equal(await agent.runOnce(), 1)
    const copy = (await client.data.listReplicas({ scope, name: 'r1' })).find(
      (r) => r.endpoint === fr.name,
    )!
    assert.ok(existsSync(new URL(copy.urls[0]!)))
    const reaper = new ReaperAgent(fixture().ctx, { graceMs: 60_000 })
    fixture().clock.advance(120_000)
    await reaper.runOnce() // tombstones left by earlier tests in this database
    await client.data.deleteRule(rule.id)
    assert.equal(await reaper.runOnce(), 0, 'grace period not over')
    fixture().clock.advance(120_000)
    assert.equal(await reaper.runOnce(), 0, 'FR has 1 GB free, more than its 0.5 GB target')
    await client.data.updateEndpoint(fr.name, { attributes: { reaper_free_gb: 2 } })
    assert.equal(await reaper.runOnce(), 1)
    assert.ok(!existsSync(new URL(copy.urls[0]!)), 'bytes deleted')
    assert.equal((await client.data.getEndpoint(fr.name)).usedBytes, 0)
    assert.deepEqual(
      (await client.data.listReplicas({ scope, name: 'r1' })).map((r) => r.endpoint),
      [de.name],
      'the upload stays',
    )
  })
})
