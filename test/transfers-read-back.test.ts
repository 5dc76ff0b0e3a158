/**
 * Verification by reading back, in parallel pieces on the checksum threads: a large file on a
 * real nginx (ranged GETs) and on POSIX (file ranges) gives the same digest as one sequential
 * read, a damaged file is told apart, missing files keep their error class, and a server that
 * ignores Range is read in one piece instead. Downloads to POSIX go the same way: pieces written
 * at their offsets by the threads and read back from the local file as they land.
 */
import assert from 'node:assert/strict'
import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs'
import http from 'node:http'
import type net from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { ContinuumError } from '../src/platform/index.js'
import {
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  WebdavProtocol,
  type Digest,
} from '../src/transfers/index.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

const skip = nginxSkipReason()
// Above the size from which read-backs are split (32 MiB), and not a multiple of the pieces.
const SIZE = 40 * 1024 * 1024 + 4321

describe('read-back verification in parallel pieces', { skip }, () => {
  let nginx: NginxWebdav
  let storage: TempStorage
  let src: string
  let expected: Digest
  const registry = new ProtocolRegistry()
  const dav = new WebdavProtocol()
  const posix = new PosixProtocol()

  before(async () => {
    nginx = await startNginxWebdav()
    storage = tempStorage()
    src = pathToFileURL(path.join(storage.root, 'src.bin')).href
    const data = randomData(SIZE)
    await posix.write(src, bytesOf(data))
    expected = await digestOf(bytesOf(data))
  })
  after(async () => {
    await nginx.stop()
    storage.cleanup()
  })

  it('verifies an upload to nginx and a download to POSIX by ranged read-back', async () => {
    const up = await copyVerified(registry, src, `${nginx.url}/rb/up.bin`, expected)
    assert.deepEqual(
      { bytes: up.bytes, adler32: up.adler32, verifiedBy: up.verifiedBy },
      { ...expected, verifiedBy: 'read-back' },
    )
    assert.deepEqual(await dav.readDigest(`${nginx.url}/rb/up.bin`, SIZE), expected)
    const back = pathToFileURL(path.join(storage.root, 'back.bin')).href
    const down = await copyVerified(registry, `${nginx.url}/rb/up.bin`, back, expected)
    assert.equal(down.verifiedBy, 'read-back')
    assert.deepEqual(await posix.readDigest(back, SIZE), expected)
  })

  it('sees one flipped byte, wherever the pieces are cut', async () => {
    await copyVerified(registry, src, `${nginx.url}/rb/flip.bin`, expected)
    const onDisk = path.join(nginx.root, 'rb', 'flip.bin')
    const local = path.join(storage.root, 'flip.bin')
    await posix.write(pathToFileURL(local).href, posix.read(src))
    for (const file of [onDisk, local]) {
      const fd = openSync(file, 'r+')
      writeSync(fd, Buffer.from([0x5a ^ 0xff]), 0, 1, SIZE - 3)
      closeSync(fd)
    }
    const seq = await digestOf(createReadStream(onDisk) as AsyncIterable<Uint8Array>)
    assert.notEqual(seq.adler32, expected.adler32)
    assert.deepEqual(await dav.readDigest(`${nginx.url}/rb/flip.bin`, SIZE), seq)
    assert.deepEqual(await posix.readDigest(pathToFileURL(local).href, SIZE), seq)
  })

  it('keeps the storage error class of a missing or short file', async () => {
    await assert.rejects(
      dav.readDigest(`${nginx.url}/rb/missing.bin`, SIZE),
      (err) => err instanceof ContinuumError && err.code === 'STORAGE_FILE_NOT_FOUND',
    )
    await assert.rejects(
      posix.readDigest(pathToFileURL(path.join(storage.root, 'missing.bin')).href, SIZE),
      (err) => err instanceof ContinuumError && err.code === 'STORAGE_FILE_NOT_FOUND',
    )
    // Asked for more than the file holds: a piece comes back short.
    await assert.rejects(
      posix.readDigest(src, SIZE + 10 * 1024 * 1024),
      (err) => err instanceof ContinuumError && /short read: .*expected \d+/.test(err.message),
    )
  })

  it('downloads in pieces read back from the local file, and a wrong source leaves nothing', async () => {
    const remote = `${nginx.url}/rb/down.bin`
    await copyVerified(registry, src, remote, expected)
    const local = path.join(storage.root, 'down.bin')
    // Split: the digest comes from reading the written pieces back, not from a second pass.
    assert.deepEqual(await dav.downloadFile(remote, local), expected)
    assert.deepEqual(await digestOf(createReadStream(local) as AsyncIterable<Uint8Array>), expected)

    // The source changed behind the catalogue's back: caught, and no file or side file is left.
    const fd = openSync(path.join(nginx.root, 'rb', 'down.bin'), 'r+')
    writeSync(fd, Buffer.from([0x00, 0xff, 0x00]), 0, 3, 20 * 1024 * 1024 + 7)
    closeSync(fd)
    const target = path.join(storage.root, 'bad', 'down.bin')
    await assert.rejects(
      copyVerified(registry, remote, pathToFileURL(target).href, expected),
      (err) => err instanceof ContinuumError && err.code === 'CHECKSUM_MISMATCH',
    )
    assert.equal(existsSync(target), false)
    assert.equal(existsSync(`${target}.part`), false)
  })

  it('a cancelled download stops its pieces and leaves no file', async () => {
    // A server that sends the first bytes of each piece and then holds: the copy is in flight
    // when the first GET arrives, which is when the test cancels it.
    const cancel = new AbortController()
    const held: http.ServerResponse[] = []
    const server = http.createServer((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': String(SIZE) }).end()
        return
      }
      const [, start, end] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') ?? []
      res.writeHead(206, { 'content-length': String(Number(end) - Number(start) + 1) })
      res.write(Buffer.alloc(64 * 1024))
      held.push(res)
      cancel.abort()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    const target = path.join(storage.root, 'cancelled', 'x.bin')
    try {
      await assert.rejects(
        copyVerified(
          registry,
          `http://127.0.0.1:${port}/x.bin`,
          pathToFileURL(target).href,
          expected,
          { signal: cancel.signal },
        ),
        (err) => err instanceof ContinuumError,
      )
      assert.equal(existsSync(target), false)
      assert.equal(existsSync(`${target}.part`), false)
    } finally {
      for (const res of held) res.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('reads a server that ignores Range in one piece', async () => {
    // A plain server that always answers 200 with the whole file, as some HTTP servers do.
    const file = path.join(storage.root, 'src.bin')
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-length': String(SIZE) })
      if (req.method === 'HEAD') res.end()
      else createReadStream(file).pipe(res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    try {
      assert.deepEqual(await dav.readDigest(`http://127.0.0.1:${port}/x.bin`, SIZE), expected)
      // A download from it is streamed in one piece too, and the caller reads it back.
      const local = path.join(storage.root, 'whole.bin')
      assert.equal(await dav.downloadFile(`http://127.0.0.1:${port}/x.bin`, local), undefined)
      assert.deepEqual(await posix.readDigest(pathToFileURL(local).href, SIZE), expected)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
