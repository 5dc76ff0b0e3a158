/**
 * The copy layer over POSIX and nginx WebDAV: failure classes for a missing source or an
 * unreachable server, HTTP third-party copy detected as unsupported (nginx) with the fallback
 * to streaming, read-back verification catching bytes changed on the server, and no file left
 * behind on any failure.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  WebdavProtocol,
  type WriteOptions,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { flipByte } from './support/flip-byte.js'

const skip = nginxSkipReason()

/** WebDAV whose writes land and then get one byte flipped on the server's disk. */
class CorruptingWebdav extends WebdavProtocol {
  constructor(private readonly nginx: NginxWebdav) {
    super()
  }

  override async write(url: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
    await super.write(url, source, options)
    flipByte(path.join(this.nginx.root, new URL(url).pathname), 10)
  }

  override async uploadFile(localPath: string, url: string, options?: WriteOptions) {
    await super.uploadFile(localPath, url, options)
    flipByte(path.join(this.nginx.root, new URL(url).pathname), 10)
  }
}

describe('POSIX failure classes', () => {
  it('a missing source is STORAGE_FILE_NOT_FOUND and leaves no destination', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol()])
      await rejectsWith(
        copyVerified(
          registry,
          `file://${storage.root}/none.bin`,
          `file://${storage.root}/d/x.bin`,
          {
            bytes: 1,
            adler32: null,
          },
        ),
        'STORAGE_FILE_NOT_FOUND',
        'none.bin',
      )
      assert.equal(existsSync(path.join(storage.root, 'd', 'x.bin')), false)
      assert.equal(existsSync(path.join(storage.root, 'd', 'x.bin.part')), false)
    } finally {
      storage.cleanup()
    }
  })
})

describe('POSIX to POSIX', () => {
  it('copies in the kernel, reads the copy back, and a damaged source is caught', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol()])
      const data = randomData(3_000_000)
      const src = `file://${storage.root}/a/src.bin`
      await registry.for(src).write(src, bytesOf(data))
      const expected = await digestOf(bytesOf(data))
      const copy = await copyVerified(registry, src, `file://${storage.root}/b/c/dst.bin`, expected)
      assert.deepEqual(copy, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
      assert.deepEqual(
        await digestOf(registry.for(src).read(`file://${storage.root}/b/c/dst.bin`)),
        expected,
      )
      // The catalogue's checksum no longer matches the source: nothing stays at the destination.
      flipByte(path.join(storage.root, 'a', 'src.bin'), 1234)
      await rejectsWith(
        copyVerified(registry, src, `file://${storage.root}/b/bad.bin`, expected),
        'CHECKSUM_MISMATCH',
      )
      assert.equal(existsSync(path.join(storage.root, 'b', 'bad.bin')), false)
      assert.equal(existsSync(path.join(storage.root, 'b', 'bad.bin.part')), false)
    } finally {
      storage.cleanup()
    }
  })
})

describe('POSIX to POSIX from a named pipe', () => {
  it('streams a source that is not a regular file instead of copying it in the kernel', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol()])
      const data = randomData(1_000_000)
      const fifo = path.join(storage.root, 'pipe.raw')
      execFileSync('mkfifo', [fifo])
      // Opening a pipe for writing waits for the copy to open it for reading.
      createWriteStream(fifo).end(data)
      const expected = await digestOf(bytesOf(data))
      const copy = await copyVerified(
        registry,
        `file://${fifo}`,
        `file://${storage.root}/out.bin`,
        expected,
      )
      assert.deepEqual(copy, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
      assert.deepEqual(readFileSync(path.join(storage.root, 'out.bin')), data)
    } finally {
      storage.cleanup()
    }
  })
})

describe('copies over nginx WebDAV', { skip }, () => {
  let a: NginxWebdav
  let b: NginxWebdav
  let storage: TempStorage
  const dav = new WebdavProtocol()
  before(async () => {
    ;[a, b] = await Promise.all([startNginxWebdav(), startNginxWebdav()])
    storage = tempStorage()
  })
  after(async () => {
    storage.cleanup()
    await Promise.all([a.stop(), b.stop()])
  })

  it('classifies a missing file and an unreachable server', async () => {
    await rejectsWith(digestOf(dav.read(`${a.url}/none.bin`)), 'STORAGE_FILE_NOT_FOUND', 'HTTP 404')
    await rejectsWith(dav.checksum(`${a.url}/none.bin`, 'adler32'), 'STORAGE_FILE_NOT_FOUND')
    await rejectsWith(
      dav.write('http://127.0.0.1:1/x.bin', bytesOf(randomData(10)), { bytes: 10 }),
      'STORAGE_UNREACHABLE',
    )
  })

  it('nginx answers no Want-Digest and no HTTP-TPC: copies are streamed and read back', async () => {
    const registry = new ProtocolRegistry([dav])
    const data = randomData(800_000)
    await dav.write(`${a.url}/tpc/src.bin`, bytesOf(data), { bytes: data.length })
    assert.equal(await dav.checksum(`${a.url}/tpc/src.bin`, 'adler32'), undefined)
    const expected = await digestOf(bytesOf(data))
    const result = await copyVerified(
      registry,
      `${a.url}/tpc/src.bin`,
      `${b.url}/tpc/dst.bin`,
      expected,
    )
    assert.deepEqual(result, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
    await rejectsWith(
      copyVerified(registry, `${a.url}/tpc/src.bin`, `${b.url}/tpc/only.bin`, expected, {
        tpc: 'only',
      }),
      'STORAGE_ERROR',
      'third-party copy is not possible',
    )
    assert.equal(existsSync(path.join(b.root, 'tpc', 'only.bin')), false)
    // A fresh protocol asks the server (COPY with a Source header) and gets a refusal.
    assert.equal(
      await new WebdavProtocol().thirdPartyCopy(`${a.url}/tpc/src.bin`, `${b.url}/tpc/asked.bin`),
      'unsupported',
    )
    assert.equal(existsSync(path.join(b.root, 'tpc', 'asked.bin')), false)
  })

  it('detects bytes changed on the server after the write and deletes the file', async () => {
    const registry = new ProtocolRegistry([new PosixProtocol(), new CorruptingWebdav(b)])
    const data = randomData(300_000)
    const src = `file://${storage.root}/corrupt-src.bin`
    await registry.for(src).write(src, bytesOf(data))
    await rejectsWith(
      copyVerified(registry, src, `${b.url}/bad/x.bin`, await digestOf(bytesOf(data))),
      'CHECKSUM_MISMATCH',
    )
    assert.equal(existsSync(path.join(b.root, 'bad', 'x.bin')), false)
  })

  it('WebDAV → POSIX with a source that disappeared is STORAGE_FILE_NOT_FOUND, nothing written', async () => {
    const registry = new ProtocolRegistry([new PosixProtocol(), dav])
    await rejectsWith(
      copyVerified(registry, `${a.url}/gone.bin`, `file://${storage.root}/gone.bin`, {
        bytes: 5,
        adler32: null,
      }),
      'STORAGE_FILE_NOT_FOUND',
    )
    assert.equal(existsSync(path.join(storage.root, 'gone.bin')), false)
  })
})

describe('bearer tokens over WebDAV', { skip }, () => {
  let nginx: NginxWebdav
  before(async () => {
    nginx = await startNginxWebdav({ bearer: 'tok-123' })
  })
  after(() => nginx.stop())

  it('sends the per-operation token; a missing or wrong one is STORAGE_PERMISSION_DENIED', async () => {
    const dav = new WebdavProtocol()
    const url = `${nginx.url}/t/file.bin`
    const data = randomData(5000)
    await dav.write(url, bytesOf(data), { bytes: data.length, token: 'tok-123' })
    assert.deepEqual(await dav.stat(url, { token: 'tok-123' }), { bytes: data.length })
    await rejectsWith(dav.stat(url), 'STORAGE_PERMISSION_DENIED', 'HTTP 403')
    await rejectsWith(digestOf(dav.read(url, { token: 'wrong' })), 'STORAGE_PERMISSION_DENIED')
    const registry = new ProtocolRegistry([dav])
    const expected = await digestOf(bytesOf(data))
    const copied = await copyVerified(registry, url, `${nginx.url}/t/copy.bin`, expected, {
      token: 'tok-123',
    })
    assert.deepEqual(copied, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
    await rejectsWith(
      copyVerified(registry, url, `${nginx.url}/t/denied.bin`, expected, {
        sourceToken: 'tok-123',
        destToken: 'wrong',
      }),
      'STORAGE_PERMISSION_DENIED',
    )
  })
})
