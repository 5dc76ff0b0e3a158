import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createAdler32 } from 'hash-wasm'
import { ADLER32_EMPTY, adler32Combine, parseAdler32 } from './adler32-combine.js'
import { ChecksumPool } from './checksum-pool.js'

async function oneShot(data: Uint8Array): Promise<number> {
  const h = await createAdler32()
  h.init()
  h.update(data)
  return parseAdler32(h.digest('hex'))
}

describe('ChecksumPool', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-pool-'))
  const data = randomBytes(3 * 1024 * 1024 + 12_345)
  const file = path.join(dir, 'data.bin')
  const pool = new ChecksumPool(2)
  before(() => writeFileSync(file, data))
  after(async () => {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('hashes bytes handed over, shared or transferred', async () => {
    const shared = Buffer.from(new SharedArrayBuffer(data.length))
    shared.set(data)
    assert.deepEqual(await pool.run({ op: 'bytes', data: shared }), {
      adler32: await oneShot(data),
      bytes: data.length,
    })
    const copy = new Uint8Array(data)
    const got = await pool.run({ op: 'bytes', data: copy }, { transfer: [copy.buffer] })
    assert.equal(copy.byteLength, 0, 'a transferred buffer is gone from this thread')
    assert.equal(got.adler32, await oneShot(data))
  })

  it('hashes file ranges in parallel that combine into the whole', async () => {
    const cuts = [0, 1, 65_536, 1_000_000, 1_000_000, 2_500_000, data.length]
    const pieces = await Promise.all(
      cuts.slice(1).map((end, i) => pool.run({ op: 'file', path: file, start: cuts[i]!, end })),
    )
    assert.equal(pool.threadCount, 2)
    let folded = ADLER32_EMPTY
    for (const p of pieces) folded = adler32Combine(folded, p.adler32, p.bytes)
    assert.equal(folded, await oneShot(data))
  })

  it('passes errors back and keeps working', async () => {
    await assert.rejects(
      pool.run({ op: 'file', path: path.join(dir, 'missing'), start: 0, end: 10 }),
      (err: Error & { code?: string }) => err.code === 'ENOENT',
    )
    await assert.rejects(
      pool.run({ op: 'file', path: file, start: data.length - 5, end: data.length + 5 }),
      /short read: .* ended at byte \d+, expected \d+/,
    )
    const ok = await pool.run({ op: 'file', path: file, start: 0, end: 100 })
    assert.equal(ok.adler32, await oneShot(data.subarray(0, 100)))
  })

  it('refuses to split a file on a server that ignores Range', async () => {
    const server = http.createServer((_req, res) => res.end(data))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      await assert.rejects(
        pool.run({
          op: 'http',
          url: `http://127.0.0.1:${port}/x`,
          headers: {},
          start: 10,
          end: 20,
          timeoutMs: 30_000,
        }),
        (err: Error & { status?: number }) => err.status === 200,
      )
    } finally {
      server.close()
    }
  })

  it('drops a piece whose signal is already aborted', async () => {
    const abort = new AbortController()
    abort.abort()
    await assert.rejects(
      pool.run({ op: 'bytes', data: new Uint8Array(1) }, { signal: abort.signal }),
      /abort/i,
    )
  })

  it('rejects waiting pieces when closed, and stops its threads', async () => {
    const own = new ChecksumPool(1)
    const pieces = [1, 2, 3].map(() =>
      own.run({ op: 'file', path: file, start: 0, end: data.length }),
    )
    const settled = Promise.allSettled(pieces)
    await own.close()
    assert.ok((await settled).every((s) => s.status === 'rejected'))
    assert.equal(own.threadCount, 0)
    await assert.rejects(own.run({ op: 'bytes', data: new Uint8Array(1) }), /closed/)
  })

  it('starts every thread on warm(), before any real work', async () => {
    const own = new ChecksumPool(3)
    try {
      assert.equal(own.threadCount, 0)
      await own.warm()
      assert.equal(own.threadCount, 3)
    } finally {
      await own.close()
    }
  })

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => new ChecksumPool(0), RangeError)
  })

  it('lets the process exit without being closed', () => {
    // A child that uses the shared pool and never closes it must end by itself; an idle thread
    // keeping it alive would run into the timeout instead.
    const script = `
      import { sharedChecksumPool } from ${JSON.stringify(new URL('./checksum-pool.ts', import.meta.url).href)}
      const got = await sharedChecksumPool().run({ op: 'bytes', data: new Uint8Array([1, 2, 3]) })
      console.log(got.adler32.toString(16))`
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 120_000 },
    )
    assert.equal(child.signal, null, `child was killed: ${child.stderr}`)
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), 'd0007')
  })
})
