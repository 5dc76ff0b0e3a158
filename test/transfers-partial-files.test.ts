/**
 * Partial files of killed writers (issue 16): a `.part` left by a writer that died is counted
 * while it may still be live, and removed once untouched for the grace period; finished files
 * and young partials stay.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { systemActor, systemClock } from '../src/platform/index.js'
import { PartialFileReaper } from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('partial files of killed writers', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage?.cleanup())

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
    assert.equal(await reaper.runOnce(), 0)
  })
})
