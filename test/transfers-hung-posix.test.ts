/**
 * A hung POSIX endpoint hurts only itself (issue 16). A named pipe nobody writes to stands in
 * for a hung network mount: opening it blocks one of Node's four I/O threads in the kernel
 * until a writer comes. Without lanes, a few such reads take every thread and every other
 * endpoint's files wait behind them; with lanes, the hung endpoint keeps at most its share, its
 * reads fail by their deadlines, and the other endpoint's copies go on.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, openSync, closeSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, describe, it } from 'node:test'
import { FileLanes } from '../src/transfers/protocols/file-lanes.js'
import { PosixProtocol } from '../src/transfers/index.js'
import { tempDir } from './support/workflows.js'

const url = (p: string) => pathToFileURL(p).href

async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text)
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0
  for await (const chunk of source) n += chunk.byteLength
  return n
}

describe('file lanes', () => {
  it('holds each lane to its slots, hands a freed slot to the first waiter, and lets a wait be abandoned', async () => {
    const lanes = new FileLanes(2)
    const gates: Array<() => void> = []
    const blocked = () => new Promise<void>((resolve) => gates.push(resolve))
    const first = lanes.run('a', undefined, blocked)
    const second = lanes.run('a', undefined, blocked)
    const order: string[] = []
    const third = lanes.run('a', undefined, async () => void order.push('third'))
    const abandoned = new AbortController()
    const fourth = lanes.run('a', abandoned.signal, async () => void order.push('fourth'))
    // Another lane is not held up by this one.
    await lanes.run('b', undefined, async () => void order.push('other lane'))
    assert.deepEqual(
      lanes.stats().find((l) => l.lane === 'a'),
      { lane: 'a', busy: 2, waiting: 2 },
    )
    abandoned.abort(new Error('deadline'))
    await assert.rejects(fourth, /deadline/)
    gates[0]!()
    await first
    await third
    gates[1]!()
    await second
    assert.deepEqual(order, ['other lane', 'third'])
    assert.deepEqual(
      lanes.stats().find((l) => l.lane === 'a'),
      { lane: 'a', busy: 0, waiting: 0 },
    )
  })

  it('keeps the slot of abandoned work until that work really ends', async () => {
    const lanes = new FileLanes(1)
    let finish!: () => void
    const stop = new AbortController()
    const stuck = lanes.run('a', stop.signal, () => new Promise<void>((r) => (finish = r)))
    stop.abort(new Error('deadline'))
    await assert.rejects(stuck, /deadline/)
    assert.equal(lanes.stats()[0]!.busy, 1, 'the stuck call still holds its thread')
    finish()
    await lanes.run('a', undefined, async () => undefined)
    assert.equal(lanes.stats()[0]!.busy, 0)
  })
})

describe('a hung POSIX endpoint', () => {
  const hung = tempDir('continuum-hung-')
  const healthy = tempDir('continuum-healthy-')
  const pipes = Array.from({ length: 6 }, (_, i) => path.join(hung, `stuck-${i}`))
  for (const p of pipes) assert.equal(spawnSync('mkfifo', [p]).status, 0, 'mkfifo')
  mkdirSync(path.join(healthy, 'data'))
  after(() => {
    // A writer end for each pipe lets the blocked opens return, so the threads come back.
    for (const p of pipes) closeSync(openSync(p, 'r+'))
  })

  it('fails its own reads by their deadlines and leaves the other endpoint its threads', async () => {
    const posix = new PosixProtocol({ perLane: 2 })
    posix.useRoots([url(hung), url(healthy)])
    const stuck = pipes.map((p) =>
      drain(posix.read(url(p), { signal: AbortSignal.timeout(400) })).then(
        () => 'read',
        (err: Error) => err.message,
      ),
    )
    // Meanwhile the healthy endpoint writes, stats and reads 40 files (more than the pool has
    // threads, so without lanes these would wait for the hung opens).
    for (let i = 0; i < 40; i++) {
      const file = url(path.join(healthy, 'data', `f${i}`))
      await posix.write(file, chunks(`file ${i}`))
      assert.equal((await posix.stat(file))?.bytes, `file ${i}`.length)
      assert.equal(await drain(posix.read(file)), `file ${i}`.length)
    }
    const hungLane = posix.laneStats().find((l) => l.lane === `endpoint:${hung}`)
    assert.ok(
      hungLane && hungLane.busy <= 2,
      `the hung endpoint holds at most 2 threads: ${JSON.stringify(hungLane)}`,
    )
    const outcomes = await Promise.all(stuck)
    for (const outcome of outcomes) assert.notEqual(outcome, 'read')
  })
})
