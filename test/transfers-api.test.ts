/**
 * The scheduler over HTTP and in the CLI: a rule's transfers and progress, one transfer's
 * history, per-link statistics, link ceilings and shares, bad input refused with the catalogue's
 * codes and nothing changed, and the per-link gauges on /metrics.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { after, before, it } from 'node:test'
import { deterministicPath, registerReplicas } from '../src/data/index.js'
import { digestOf, TransferAgent } from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'

const run = promisify(execFile)

describeEachBackend('transfer scheduler API and CLI', (fixture) => {
  let server: TestServer
  let storage: TempStorage
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    storage = tempStorage()
  })
  after(async () => {
    await server.close()
    storage.cleanup()
  })

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const token = await server.mintToken({ sub: 'cli-admin', groups: ['/continuum/admins'] })
      const { stdout } = await run(process.execPath, [
        'bin/continuum.js',
        '--server',
        server.url,
        '--token',
        token,
        ...args,
      ])
      return { code: 0, stdout, stderr: '' }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  it('shows a rule’s transfers, their history and the links’ statistics', async () => {
    const { ctx } = fixture()
    const c = server.client
    const src = await storage.add(ctx, { site: 'A' })
    const dst = await storage.add(ctx, { site: 'B' })
    const scope = uniqueScope()
    await c.data.addScope({ name: scope })
    const present = randomData(4000)
    const file = path.join(storage.dirOf(src), deterministicPath({ scope, name: 'ok' }))
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, present)
    await registerReplicas(ctx, {
      endpoint: src.name,
      replicas: [
        { scope, name: 'ok', ...(await digestOf(bytesOf(present))) },
        { scope, name: 'gone', bytes: 10, adler32: '0a0b0c0d' },
      ],
    })
    const ok = await c.data.addRule({ scope, name: 'ok', copies: 1, expression: dst.name })
    const gone = await c.data.addRule({ scope, name: 'gone', copies: 1, expression: dst.name })
    await new TransferAgent(ctx, { workerId: 'w' }).runOnce()

    const [t] = await c.transfers.list({ rule: gone.id })
    const detail = await c.transfers.get(t!.id)
    assert.deepEqual(
      [detail.state, detail.failureClass, detail.history[0]?.source],
      ['failed', 'source_missing', src.name],
    )
    assert.equal((await c.transfers.list({ rule: ok.id }))[0]?.state, 'done')
    const link = (await c.transfers.stats(600)).links.find((l) => l.destination === dst.name)!
    assert.deepEqual([link.source, link.done, link.failed, link.successRate], [src.name, 1, 1, 0.5])

    const show = await cli('transfer', 'show', t!.id)
    assert.equal(show.code, 0)
    assert.match(show.stdout, /source_missing/)
    const ls = await cli('transfer', 'ls', '--rule', gone.id)
    assert.match(ls.stdout, /1 failed/)
    const stats = await cli('transfer', 'stats', '--json')
    assert.ok(
      (JSON.parse(stats.stdout) as { links: Array<{ destination: string }> }).links.some(
        (l) => l.destination === dst.name,
      ),
    )
    const rule = await cli('data', 'rule', 'show', gone.id)
    assert.match(rule.stdout, /source_missing/)

    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    assert.match(
      metrics,
      new RegExp(
        `continuum_transfer_link_success_ratio\\{source="${src.name}",destination="${dst.name}"\\} 0.5`,
      ),
    )
  })

  it('sets link ceilings and shares, and refuses bad input changing nothing', async () => {
    const { ctx } = fixture()
    const c = server.client
    const a = await storage.add(ctx, {})
    const b = await storage.add(ctx, {})
    const link = await c.transfers.setLink({ source: a.name, destination: b.name, maxActive: 3 })
    assert.deepEqual([link.maxActive, link.activeLimit], [3, 3])
    await rejectsWith(
      c.transfers.setLink({ source: 'NOPE', destination: b.name, maxActive: 3 }),
      'ENDPOINT_NOT_FOUND',
    )
    await rejectsWith(
      c.transfers.setLink({ source: a.name, destination: b.name, maxActive: 0 }),
      'VALIDATION_FAILED',
    )
    assert.equal((await c.transfers.stats()).links.find((l) => l.source === a.name)?.maxActive, 3)

    // Closing a link (multi-hop) over the CLI keeps its ceiling; a command saying nothing fails.
    const close = await cli('transfer', 'link', 'set', a.name, b.name, '--close', '--json')
    assert.equal(close.code, 0, close.stderr)
    assert.deepEqual(
      [(JSON.parse(close.stdout) as { closed: boolean; maxActive: number }).closed, 3],
      [true, link.maxActive],
    )
    const table = await cli('transfer', 'stats')
    assert.match(table.stdout, /closed: multi-hop/)
    const empty = await cli('transfer', 'link', 'set', a.name, b.name)
    assert.equal(empty.code, 2)
    assert.match(empty.stderr, /--max-active <n>, --close or --open/)
    const both = await cli('transfer', 'link', 'set', a.name, b.name, '--close', '--open')
    assert.notEqual(both.code, 0)
    await rejectsWith(
      c.transfers.setLink({ source: a.name, destination: b.name, closed: 'yes' as never }),
      'VALIDATION_FAILED',
    )
    const reopened = await c.transfers.setLink({
      source: a.name,
      destination: b.name,
      closed: false,
    })
    assert.deepEqual([reopened.closed, reopened.maxActive], [false, 3])

    await c.transfers.setShare({ kind: 'community', name: 'atlas', weight: 3 })
    await rejectsWith(
      c.transfers.setShare({ kind: 'community', name: 'cms', weight: -1 }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      c.transfers.setShare({ kind: 'vo' as 'community', name: 'cms', weight: 1 }),
      'VALIDATION_FAILED',
    )
    const shares = await c.transfers.listShares()
    assert.ok(shares.some((s) => s.kind === 'community' && s.name === 'atlas' && s.weight === 3))
    assert.ok(!shares.some((s) => s.name === 'cms'))
    assert.ok(shares.some((s) => s.name === 'T0 Export' && s.weight === 10))
    await c.transfers.deleteShare('community', 'atlas')
    await rejectsWith(c.transfers.deleteShare('community', 'atlas'), 'VALIDATION_FAILED')
    const set = await cli('transfer', 'share', 'set', 'activity', 'Express', '7')
    assert.equal(set.code, 0)
    const bad = await cli('transfer', 'share', 'set', 'activity', 'Express', 'lots')
    assert.notEqual(bad.code, 0)
    assert.ok((await c.transfers.listShares()).some((s) => s.name === 'Express' && s.weight === 7))
  })
})
