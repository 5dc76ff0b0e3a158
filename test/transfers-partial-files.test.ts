/**
 * Partial files of killed writers (issue 16): a `.part` left by a writer that died is counted
 * while it may still be live, and removed once untouched for the grace period; finished files
 * and young partials stay. Each endpoint's count is recorded and shown on /metrics.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { systemActor, systemClock } from '../src/platform/index.js'
import { countedPartialFiles, PartialFileReaper } from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('partial files of killed writers', (fixture) => {
  let storage: TempStorage
  let server: TestServer
  before(async () => {
    storage = tempStorage()
    server = await startTestServer(fixture().database, { clock: fixture().clock })
  })
  after(async () => {
    await server?.close()
    storage?.cleanup()
  })

  it('counts young partial files and removes those past their grace period', async () => {
    const ctx = { db: fixture().ctx.db, clock: systemClock, actor: systemActor('test') }
    const endpoint = await storage.add(ctx, { site: 'partials' })
    const folder = path.join(storage.dirOf(endpoint), 'atlas', 'ab', 'cd')
    mkdirSync(folder, { recursive: true })
    const dead = path.join(folder, 'killed.root.part')
    const live = path.join(folder, 'writing.root.part')
    const done = path.join(folder, 'done.root')
    writeFileSync(dead, Buffer.alloc(3000))
    writeFileSync(live, Buffer.alloc(1000))
    writeFileSync(done, Buffer.alloc(10))
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000)
    utimesSync(dead, twoHoursAgo, twoHoursAgo)

    const reaper = new PartialFileReaper(ctx, { graceMs: 3_600_000 })
    assert.equal(await reaper.runOnce(), 1)
    assert.ok(!existsSync(dead), 'the dead writer’s partial file is gone')
    assert.ok(existsSync(live) && existsSync(done), 'live partials and finished files stay')
    assert.ok(
      reaper.pending.files >= 1 && reaper.pending.bytes >= 1000,
      'live partials are counted',
    )
    const counted = (await countedPartialFiles(ctx)).find((r) => r.endpoint_id === endpoint.id)
    assert.deepEqual(
      counted && [counted.files, counted.bytes, counted.removed_files, counted.removed_bytes],
      [1, 1000, 1, 3000],
      'the endpoint’s count is recorded: one left, one removed',
    )
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    assert.match(
      metrics,
      new RegExp(`continuum_storage_partial_files\\{endpoint="${endpoint.name}"\\} 1\n`),
    )
    assert.match(
      metrics,
      new RegExp(`continuum_storage_partial_bytes\\{endpoint="${endpoint.name}"\\} 1000\n`),
    )

    assert.equal(await reaper.runOnce(), 0)
    const again = (await countedPartialFiles(ctx)).find((r) => r.endpoint_id === endpoint.id)
    assert.equal(again?.removed_files, 0, 'each round records its own removals')
    assert.equal(again?.files, 1, 'the live one is still counted until it is gone')
  })
})
