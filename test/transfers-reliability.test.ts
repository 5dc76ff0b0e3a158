/**
 * Reliability against a real nginx WebDAV server, on both database backends: a proxy that
 * damages copies (every damaged copy is caught, deleted, retried and never registered), and an
 * endpoint that goes down and comes back (transfers wait and resume, none is lost, and the
 * link's optimiser backs off while it is down).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { Endpoint } from '../src/contract/index.js'
import {
  addDid,
  addEndpoint,
  addRule,
  addScope,
  attachDids,
  deterministicPath,
  getRule,
  listReplicas,
  registerReplicas,
} from '../src/data/index.js'
import type { Context } from '../src/db/index.js'
import {
  digestOf,
  TransferAgent,
  getTransfer,
  getTransferStats,
  listTransfers,
  setTransferLink,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { startCorruptingProxy, type CorruptingProxy } from './support/corrupting-proxy.js'
import { uniqueEndpointName, uniqueScope } from './support/data-factories.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

const skip = nginxSkipReason()

describeEachBackend('transfer reliability', (fixture) => {
  let nginx: NginxWebdav | undefined
  let storage: TempStorage
  before(async () => {
    storage = tempStorage()
    if (!skip) nginx = await startNginxWebdav()
  })
  after(async () => {
    storage.cleanup()
    await nginx?.stop()
  })

  /** A dataset of `n` files registered on `endpoint`; `write` puts each file's bytes in place. */
  async function dataset(
    ctx: Context,
    endpoint: Endpoint,
    n: number,
    write: (did: { scope: string; name: string }, data: Buffer) => void,
  ) {
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await addDid(ctx, { scope, name: 'ds', type: 'dataset' })
    const files = []
    for (let i = 0; i < n; i++) {
      const did = { scope, name: `f${String(i).padStart(3, '0')}` }
      const data = randomData(20_000 + i)
      write(did, data)
      files.push({ ...did, data, ...(await digestOf(bytesOf(data))) })
    }
    await registerReplicas(ctx, {
      endpoint: endpoint.name,
      replicas: files.map((f) => ({ scope, name: f.name, bytes: f.bytes, adler32: f.adler32 })),
    })
    await attachDids(
      ctx,
      { scope, name: 'ds' },
      { children: files.map((f) => ({ scope, name: f.name })) },
    )
    return { scope, files }
  }

  it('catches every damaged copy: deleted, retried, never registered', { skip }, async () => {
    const { ctx, clock } = fixture()
    let proxy: CorruptingProxy | undefined
    try {
      // Files 0, 3, 6 … arrive with a flipped byte, 1, 4, 7 … cut short, on their first read;
      // every ninth file is damaged on its second read too.
      proxy = await startCorruptingProxy(nginx!.url, (p, n) => {
        const i = Number(/f(\d+)$/.exec(p)?.[1] ?? -1)
        if (n === 1 && i % 3 === 0) return 'flip'
        if (n === 1 && i % 3 === 1) return 'truncate'
        if (n === 2 && i % 9 === 0) return 'flip'
        return 'none'
      })
      const src = await addEndpoint(ctx, {
        name: uniqueEndpointName('DAV'),
        attributes: { kind: 'dav' },
        protocols: [{ scheme: 'http', url: `${proxy.url}/src`, read: 1, write: 1, delete: 1 }],
      })
      const dst = await storage.add(ctx, { kind: 'posix' })
      const { scope, files } = await dataset(ctx, src, 30, (did, data) => {
        const file = path.join(nginx!.root, 'src', deterministicPath(did))
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, data)
      })
      const rule = await addRule(ctx, { scope, name: 'ds', copies: 1, expression: dst.name })
      const agent = new TransferAgent(ctx, { workerId: 'w', backoffMs: 1000, random: () => 1 })
      const destOf = (name: string) =>
        path.join(storage.dirOf(dst), deterministicPath({ scope, name }))

      // First round: 8 (the link's limit) copies, some damaged: those are gone from the disk and
      // their replicas are not available.
      while (
        (await listTransfers(ctx, { rule: rule.id, state: 'queued' })).some((t) => t.attempts === 0)
      ) {
        await agent.runOnce()
        for (const t of await listTransfers(ctx, { rule: rule.id, state: 'queued' })) {
          if (t.attempts > 0) {
            assert.equal(existsSync(destOf(t.name)), false, `${t.name}: damaged copy deleted`)
            const replica = (await listReplicas(ctx, { scope, name: t.name })).find(
              (r) => r.endpoint === dst.name,
            )
            assert.notEqual(replica?.state, 'available', `${t.name}: damaged copy not registered`)
          }
        }
      }
      for (let round = 0; round < 10 && (await getRule(ctx, rule.id)).state !== 'ok'; round++) {
        clock.advance(10_000)
        while ((await agent.runOnce()) > 0);
      }
      assert.equal((await getRule(ctx, rule.id)).state, 'ok')
      for (const f of files) assert.deepEqual(readFileSync(destOf(f.name)), f.data, f.name)

      const damaged = proxy.damaged.flip + proxy.damaged.truncate
      assert.deepEqual(proxy.damaged, { flip: 10 + 4, truncate: 10 })
      const history = await Promise.all(
        (await listTransfers(ctx, { rule: rule.id })).map((t) => getTransfer(ctx, t.id)),
      )
      const failed = history.flatMap((t) => t.history.filter((h) => h.outcome === 'failed'))
      assert.equal(failed.length, damaged, '100 % of the damaged copies were detected')
      assert.ok(
        failed.every((h) => h.failureClass === 'checksum_mismatch'),
        JSON.stringify(failed[0]),
      )
      assert.ok(
        history.every(
          (t) => t.state === 'done' && t.history.filter((h) => h.outcome === 'done').length === 1,
        ),
      )
      assert.deepEqual(
        readdirSync(path.dirname(destOf('f000'))).filter((n) => n.endsWith('.part')),
        [],
      )
    } finally {
      await proxy?.stop()
    }
  })

  it('waits for an endpoint that went down and resumes when it comes back', { skip }, async () => {
    const { ctx, clock } = fixture()
    const src = await storage.add(ctx, { kind: 'posix' })
    const dst = await addEndpoint(ctx, {
      name: uniqueEndpointName('DAV'),
      attributes: { kind: 'dav' },
      protocols: [{ scheme: 'http', url: `${nginx!.url}/dst`, read: 1, write: 1, delete: 1 }],
    })
    const { scope, files } = await dataset(ctx, src, 20, (did, data) => {
      const file = path.join(storage.dirOf(src), deterministicPath(did))
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, data)
    })
    await setTransferLink(ctx, { source: src.name, destination: dst.name, maxActive: 8 })
    const rule = await addRule(ctx, { scope, name: 'ds', copies: 1, expression: dst.name })
    const agent = new TransferAgent(ctx, { workerId: 'w', backoffMs: 5000, random: () => 1 })
    await agent.optimise()

    await nginx!.down()
    assert.equal(await agent.runOnce(), 8)
    const waiting = await listTransfers(ctx, { rule: rule.id })
    assert.deepEqual(
      [
        waiting.filter((t) => t.state === 'queued').length,
        waiting.filter((t) => t.failureClass === 'network').length,
      ],
      [20, 8],
      'nothing lost: the failed ones wait for their back-off',
    )
    clock.advance(60_000)
    await agent.optimise()
    const link = (await getTransferStats(ctx)).links.find((l) => l.destination === dst.name)!
    assert.equal(link.activeLimit, 4, 'the optimiser halved the link')
    assert.match(link.lastDecision!, /backing off/)

    await nginx!.up()
    for (let round = 0; round < 10 && (await getRule(ctx, rule.id)).state !== 'ok'; round++) {
      while ((await agent.runOnce()) > 0);
      clock.advance(10_000)
    }
    assert.equal((await getRule(ctx, rule.id)).state, 'ok')
    const done = await listTransfers(ctx, { rule: rule.id })
    assert.ok(done.every((t) => t.state === 'done'))
    for (const f of files) {
      const res = await fetch(`${nginx!.url}/dst/${deterministicPath(f)}`)
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), f.data, f.name)
    }
  })
})
