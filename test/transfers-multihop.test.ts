/**
 * Multi-hop transfers on real endpoints, on both database backends: a closed link goes through
 * an endpoint marked multihop=true (bytes verified at each hop, the temporary copy removed, the
 * route in the attempt history and the event log, a narrow token per hop); without an
 * intermediate the file fails once with the reason on the lock; a failing last hop still removes
 * the temporary copy; a third-party-only XRootD endpoint is reached from POSIX through an XRootD
 * hub (streamed in, then XRootD TPC out) between real xrootd servers.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, afterEach, before, it } from 'node:test'
import { decodeJwt } from 'jose'
import type { Endpoint } from '../src/contract/index.js'
import {
  addEndpoint,
  addRule,
  addScope,
  deterministicPath,
  getRule,
  listEndpoints,
  listRuleLocks,
  registerReplicas,
  updateEndpoint,
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
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { recordingMinter } from './support/transfer-tokens.js'
import { uniqueEndpointName, uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { filesUnder, startXrootd, xrootdSkipReason, type XrootdServer } from './support/xrootd.js'

const skipXrootd = xrootdSkipReason()

describeEachBackend('multi-hop transfers', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())
  // Each test marks its own hubs; the next test must not route through them.
  afterEach(async () => {
    const { ctx } = fixture()
    for (const e of await listEndpoints(ctx)) {
      if (e.attributes.multihop !== undefined) {
        await updateEndpoint(ctx, e.name, { attributes: { multihop: null } })
      }
    }
  })

  async function put(ctx: Context, endpoint: Endpoint, scope: string, name: string, data: Buffer) {
    const file = path.join(storage.dirOf(endpoint), deterministicPath({ scope, name }))
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, data)
    const digest = await digestOf(bytesOf(data))
    await registerReplicas(ctx, {
      endpoint: endpoint.name,
      replicas: [{ scope, name, bytes: digest.bytes, adler32: digest.adler32 }],
    })
  }

  it('routes a closed link through a multihop endpoint and removes the temporary copy', async () => {
    const { ctx } = fixture()
    const src = await storage.add(ctx, { site: 'A' })
    const dst = await storage.add(ctx, { site: 'B' })
    const hub = await storage.add(ctx, { site: 'H', multihop: true })
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    const data = randomData(300_000)
    await put(ctx, src, scope, 'raw.dat', data)
    const closed = await setTransferLink(ctx, {
      source: src.name,
      destination: dst.name,
      closed: true,
    })
    assert.equal(closed.closed, true)
    const rule = await addRule(ctx, { scope, name: 'raw.dat', copies: 1, expression: dst.name })

    const { tokens, minted } = await recordingMinter(ctx.clock)
    assert.equal(await new TransferAgent(ctx, { workerId: 'w', tokens }).runOnce(), 1)

    assert.equal((await getRule(ctx, rule.id)).state, 'ok')
    const onDest = path.join(storage.dirOf(dst), deterministicPath({ scope, name: 'raw.dat' }))
    assert.deepEqual(readFileSync(onDest), data)
    assert.deepEqual(
      filesUnder(path.join(storage.dirOf(hub), '.multihop')),
      [],
      'no temporary copy stays on the intermediate',
    )

    const [t] = await listTransfers(ctx, { scope, name: 'raw.dat' })
    const detail = await getTransfer(ctx, t!.id)
    assert.equal(detail.state, 'done')
    assert.deepEqual(detail.history.at(-1)?.via, [hub.name])
    assert.match(detail.events.at(-1)!.reason!, new RegExp(`via ${hub.name}$`))

    // One token per hop and one to remove the temporary copy, each for one path.
    const p = `/${deterministicPath({ scope, name: 'raw.dat' })}`
    const tmp = `/.multihop/${t!.id}`
    const claims = minted.map((m) => decodeJwt(m))
    assert.deepEqual(
      claims.map((c) => [c.scope, c.aud]),
      [
        [`storage.read:${p} storage.read:${tmp} storage.modify:${tmp}`, [src.name, hub.name]],
        [`storage.read:${tmp} storage.read:${p} storage.modify:${p}`, [hub.name, dst.name]],
        [`storage.read:${tmp} storage.modify:${tmp}`, [hub.name]],
      ],
    )

    const link = (await getTransferStats(ctx)).links.find(
      (l) => l.source === src.name && l.destination === dst.name,
    )!
    assert.equal(link.closed, true)
    assert.equal(link.done, 1, 'the attempt counts on the end-to-end link')
  })

  it('without an intermediate the file fails once, with the reason on its lock', async () => {
    const { ctx } = fixture()
    const src = await storage.add(ctx, {})
    const dst = await storage.add(ctx, {})
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await put(ctx, src, scope, 'f', randomData(1000))
    await setTransferLink(ctx, { source: src.name, destination: dst.name, closed: true })
    const rule = await addRule(ctx, { scope, name: 'f', copies: 1, expression: dst.name })
    assert.equal(await new TransferAgent(ctx, { workerId: 'w' }).runOnce(), 1)
    const [t] = await listTransfers(ctx, { scope, name: 'f' })
    assert.equal(t!.state, 'failed')
    assert.equal(t!.failureClass, 'no_route')
    assert.equal(t!.attempts, 1, 'not retried: an operator must open a route')
    const [lock] = await listRuleLocks(ctx, rule.id)
    assert.equal(lock!.state, 'stuck')
    assert.match(lock!.reason!, new RegExp(`the link ${src.name} → ${dst.name} is closed`))

    // Reopening the link gives the next attempt (the repairer's) a direct route.
    const open = await setTransferLink(ctx, {
      source: src.name,
      destination: dst.name,
      closed: false,
    })
    assert.equal(open.closed, false)
  })

  it('a failed last hop leaves nothing on the intermediate; bad link updates change nothing', async () => {
    const { ctx } = fixture()
    const src = await storage.add(ctx, {})
    const hub = await storage.add(ctx, { multihop: true })
    // The destination's base is below a regular file: every write there fails.
    const blocker = path.join(storage.root, `blocker-${uniqueScope()}`)
    writeFileSync(blocker, 'not a folder')
    const dst = await addEndpoint(ctx, {
      name: uniqueEndpointName(),
      protocols: [{ scheme: 'file', url: `file://${blocker}/data`, read: 1, write: 1, delete: 1 }],
    })
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await put(ctx, src, scope, 'f', randomData(5000))
    await setTransferLink(ctx, { source: src.name, destination: dst.name, closed: true })
    await addRule(ctx, { scope, name: 'f', copies: 1, expression: dst.name })
    assert.equal(await new TransferAgent(ctx, { workerId: 'w' }).runOnce(), 1)
    const [t] = await listTransfers(ctx, { scope, name: 'f' })
    const detail = await getTransfer(ctx, t!.id)
    assert.equal(detail.history[0]?.outcome, 'failed')
    assert.deepEqual(detail.history[0]?.via, [hub.name])
    assert.equal(existsSync(path.join(storage.dirOf(hub), '.multihop', t!.id)), false)

    await rejectsWith(
      setTransferLink(ctx, { source: src.name, destination: dst.name }),
      'VALIDATION_FAILED',
      'nothing to change',
    )
    await rejectsWith(
      setTransferLink(ctx, { source: '*', destination: dst.name, closed: true }),
      'VALIDATION_FAILED',
      "not one from '*'",
    )
    await rejectsWith(
      setTransferLink(ctx, { source: 'NO_SUCH_DISK', destination: dst.name, closed: true }),
      'ENDPOINT_NOT_FOUND',
    )
    const link = (await getTransferStats(ctx)).links.find(
      (l) => l.source === src.name && l.destination === dst.name,
    )!
    assert.equal(link.closed, true, 'the refused updates changed nothing')
  })

  it(
    'reaches a third-party-only XRootD endpoint through an XRootD hub (stream in, TPC out)',
    { skip: skipXrootd },
    async () => {
      const { ctx } = fixture()
      let tape: XrootdServer | undefined
      let disk: XrootdServer | undefined
      try {
        tape = await startXrootd({ tpc: true })
        disk = await startXrootd({ tpc: true })
        const src = await storage.add(ctx, {})
        const t1 = await addEndpoint(ctx, {
          name: uniqueEndpointName(),
          attributes: { streaming: false, type: 'tape' },
          protocols: [{ scheme: 'root', url: `${tape.url}//atlas`, read: 1, write: 1, delete: 1 }],
        })
        const hub = await addEndpoint(ctx, {
          name: uniqueEndpointName(),
          attributes: { multihop: true },
          protocols: [{ scheme: 'root', url: `${disk.url}//buffer`, read: 1, write: 1, delete: 1 }],
        })
        const scope = uniqueScope()
        await addScope(ctx, { name: scope })
        const data = randomData(2_000_000)
        await put(ctx, src, scope, 'run.raw', data)
        const rule = await addRule(ctx, { scope, name: 'run.raw', copies: 1, expression: t1.name })
        assert.equal(await new TransferAgent(ctx, { workerId: 'w' }).runOnce(), 1)
        const [t] = await listTransfers(ctx, { scope, name: 'run.raw' })
        assert.equal(t!.state, 'done', JSON.stringify(await getTransfer(ctx, t!.id)))
        assert.equal((await getRule(ctx, rule.id)).state, 'ok')
        const onTape = path.join(tape.data, 'atlas', deterministicPath({ scope, name: 'run.raw' }))
        assert.deepEqual(readFileSync(onTape), data)
        assert.deepEqual(
          filesUnder(disk.data).filter((f) => f.includes('.multihop')),
          [],
          'the hub keeps no temporary copy',
        )
        assert.deepEqual((await getTransfer(ctx, t!.id)).history.at(-1)?.via, [hub.name])
      } finally {
        await Promise.all([tape?.stop(), disk?.stop()])
      }
    },
  )
})
