/**
 * The XRootD protocol against real xrootd servers (Debian xrootd-server 5.5): round trips,
 * failure classes, checksums asked of the server, corruption caught and cleaned up, third-party
 * copy between two servers and the fallback to streaming when a server has no TPC.
 */
import assert from 'node:assert/strict'
import { watch } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  XrootdProtocol,
  type WriteOptions,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { bytesOf, randomData, tempStorage } from './support/posix-endpoints.js'
import { filesUnder, startXrootd, xrootdSkipReason, type XrootdServer } from './support/xrootd.js'
import { flipByte } from './support/flip-byte.js'

const skip = xrootdSkipReason()

/** XRootD whose writes land and then get one byte flipped on the server's disk: a bad disk. */
class CorruptingXrootd extends XrootdProtocol {
  constructor(private readonly server: XrootdServer) {
    super()
  }

  override async write(url: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
    await super.write(url, source, options)
    this.corrupt(url)
  }

  override async uploadFile(localPath: string, url: string, options?: WriteOptions) {
    await super.uploadFile(localPath, url, options)
    this.corrupt(url)
  }

  private corrupt(url: string): void {
    const file = path.join(this.server.data, url.slice(this.server.url.length + 1))
    flipByte(file, 1000, 0xff)
  }
}

describe('XRootD protocol against xrootd', { skip }, () => {
  let a: XrootdServer
  let b: XrootdServer
  let plain: XrootdServer
  const xrd = new XrootdProtocol({ connectSeconds: 3 })
  before(async () => {
    ;[a, b, plain] = await Promise.all([
      startXrootd({ tpc: true }),
      startXrootd({ tpc: true }),
      startXrootd(),
    ])
  })
  after(() => Promise.all([a.stop(), b.stop(), plain.stop()]))

  it('writes into new directories, reads, stats, asks the checksum and deletes idempotently', async () => {
    const data = randomData(3_000_000)
    const url = `${a.url}//r/t/file.bin`
    await xrd.write(url, bytesOf(data))
    assert.deepEqual(await xrd.stat(url), { bytes: data.length })
    const digest = await digestOf(bytesOf(data))
    assert.deepEqual(await digestOf(xrd.read(url)), digest)
    assert.equal(await xrd.checksum(url, 'adler32'), digest.adler32)
    assert.deepEqual(filesUnder(a.data), ['r/t/file.bin'])
    await xrd.delete(url)
    assert.equal(await xrd.stat(url), undefined)
    await xrd.delete(url)
  })

  it('classifies a missing file, an unreachable server, and leaves nothing when the source fails', async () => {
    await rejectsWith(
      digestOf(xrd.read(`${a.url}//missing.bin`)),
      'STORAGE_FILE_NOT_FOUND',
      '/missing.bin',
    )
    await rejectsWith(xrd.checksum(`${a.url}//missing.bin`, 'adler32'), 'STORAGE_FILE_NOT_FOUND')
    await rejectsWith(xrd.stat('root://127.0.0.1:1//x'), 'STORAGE_UNREACHABLE', '127.0.0.1:1')
    async function* failing() {
      yield randomData(100_000)
      throw new Error('source went away')
    }
    await rejectsWith(
      xrd.write(`${a.url}//broken/file.bin`, failing()),
      'STORAGE_ERROR',
      'source went away',
    )
    assert.deepEqual(filesUnder(path.join(a.data, 'broken')), [])
  })

  it('copies POSIX → XRootD → POSIX, verified by the server checksum', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol(), xrd])
      const data = randomData(2_000_000)
      const src = `file://${storage.root}/src.bin`
      await registry.for(src).write(src, bytesOf(data))
      const expected = await digestOf(bytesOf(data))
      const up = await copyVerified(registry, src, `${a.url}//c/x.bin`, expected)
      assert.deepEqual(up, { ...expected, mode: 'streamed', verifiedBy: 'endpoint' })
      const down = await copyVerified(
        registry,
        `${a.url}//c/x.bin`,
        `file://${storage.root}/back.bin`,
        expected,
      )
      assert.deepEqual(down, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
      await rejectsWith(
        copyVerified(registry, `${a.url}//c/none.bin`, `file://${storage.root}/none.bin`, expected),
        'STORAGE_FILE_NOT_FOUND',
      )
      await rejectsWith(
        copyVerified(registry, `file://${storage.root}/none.bin`, `${a.url}//c/none.bin`, expected),
        'STORAGE_FILE_NOT_FOUND',
      )
      assert.deepEqual(filesUnder(storage.root), ['back.bin', 'src.bin'])
      assert.deepEqual(filesUnder(path.join(a.data, 'c')), ['x.bin'])
      // A download whose bytes do not match what the catalogue says leaves no file.
      await rejectsWith(
        copyVerified(registry, `${a.url}//c/x.bin`, `file://${storage.root}/wrong.bin`, {
          bytes: expected.bytes,
          adler32: '00000000',
        }),
        'CHECKSUM_MISMATCH',
      )
      assert.deepEqual(filesUnder(storage.root), ['back.bin', 'src.bin'])
    } finally {
      storage.cleanup()
    }
  })

  it('detects bytes changed on the destination after the write and deletes the file', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol(), new CorruptingXrootd(a)])
      const data = randomData(500_000)
      const src = `file://${storage.root}/src.bin`
      await registry.for(src).write(src, bytesOf(data))
      const err = await rejectsWith(
        copyVerified(registry, src, `${a.url}//bad/x.bin`, await digestOf(bytesOf(data))),
        'CHECKSUM_MISMATCH',
      )
      assert.match(err.message, /bad\/x\.bin/)
      assert.deepEqual(filesUnder(path.join(a.data, 'bad')), [])
    } finally {
      storage.cleanup()
    }
  })

  it('copies server to server with TPC, and streams when the destination has no TPC', async () => {
    const registry = new ProtocolRegistry([xrd])
    const data = randomData(1_500_000)
    const expected = await digestOf(bytesOf(data))
    await xrd.write(`${a.url}//tpc/src.bin`, bytesOf(data))

    const tpc = await copyVerified(registry, `${a.url}//tpc/src.bin`, `${b.url}//tpc/dst.bin`, {
      bytes: null,
      adler32: null,
    })
    assert.deepEqual(tpc, { ...expected, mode: 'tpc', verifiedBy: 'endpoint' })
    assert.deepEqual(filesUnder(path.join(b.data, 'tpc')), ['dst.bin'])

    const fallback = await copyVerified(
      registry,
      `${a.url}//tpc/src.bin`,
      `${plain.url}//tpc/dst.bin`,
      expected,
    )
    assert.deepEqual(fallback, { ...expected, mode: 'streamed', verifiedBy: 'endpoint' })
    assert.deepEqual(filesUnder(path.join(plain.data, 'tpc')), ['dst.bin'])

    await rejectsWith(
      copyVerified(registry, `${a.url}//tpc/src.bin`, `${plain.url}//tpc/only.bin`, expected, {
        tpc: 'only',
      }),
      'STORAGE_ERROR',
      'third-party copy is not possible',
    )
    await rejectsWith(
      copyVerified(registry, `${a.url}//tpc/missing.bin`, `${b.url}//tpc/missing.bin`, expected),
      'STORAGE_FILE_NOT_FOUND',
    )
    const never = await copyVerified(
      registry,
      `${a.url}//tpc/src.bin`,
      `${b.url}//tpc/streamed.bin`,
      expected,
      {
        tpc: 'never',
      },
    )
    assert.equal(never.mode, 'streamed')
    assert.deepEqual(filesUnder(path.join(b.data, 'tpc')), ['dst.bin', 'streamed.bin'])
  })

  it('deletes a third-party copy that does not match the expected checksum', async () => {
    const registry = new ProtocolRegistry([xrd])
    await xrd.write(`${a.url}//tpcbad/src.bin`, bytesOf(randomData(200_000)))
    await rejectsWith(
      copyVerified(registry, `${a.url}//tpcbad/src.bin`, `${b.url}//tpcbad/dst.bin`, {
        bytes: 200_000,
        adler32: '00000001',
      }),
      'CHECKSUM_MISMATCH',
    )
    assert.deepEqual(filesUnder(path.join(b.data, 'tpcbad')), [])
  })

  it('a cancelled third-party copy stops and leaves nothing on the destination', async () => {
    const registry = new ProtocolRegistry([xrd])
    await xrd.write(`${a.url}//tpccancel/src.bin`, bytesOf(randomData(2_000_000)))
    await xrd.write(`${b.url}//tpccancel/keep.bin`, bytesOf(randomData(10)))
    // Cancelled the moment the destination's side file appears: the copy is then under way.
    const cancel = new AbortController()
    const watcher = watch(path.join(b.data, 'tpccancel'), (_event, name) => {
      if (name?.includes('.part.')) cancel.abort()
    })
    try {
      await rejectsWith(
        copyVerified(
          registry,
          `${a.url}//tpccancel/src.bin`,
          `${b.url}//tpccancel/dst.bin`,
          { bytes: null, adler32: null },
          { signal: cancel.signal, tpc: 'only' },
        ),
        'STORAGE_TIMEOUT',
        'cancelled',
      )
    } finally {
      watcher.close()
    }
    assert.equal(cancel.signal.aborted, true)
    assert.deepEqual(filesUnder(path.join(b.data, 'tpccancel')), ['keep.bin'])
  })

  it('passes a bearer token to the client through the environment, not the command line', async () => {
    // xrootd here has no token plug-in, so the token is ignored by the server; what matters is
    // that operations with one work and that a token never appears in an error message.
    const url = `${a.url}//tok/file.bin`
    await xrd.write(url, bytesOf(randomData(1000)), { token: 'secret-token-value' })
    assert.deepEqual(await xrd.stat(url, { token: 'secret-token-value' }), { bytes: 1000 })
    const err = await rejectsWith(
      digestOf(xrd.read(`${a.url}//tok/none.bin`, { token: 'secret-token-value' })),
      'STORAGE_FILE_NOT_FOUND',
    )
    assert.doesNotMatch(err.message, /secret-token-value/)
  })
})
