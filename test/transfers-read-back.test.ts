/**
 * Verification by reading back, in parallel pieces on the checksum threads: a large file on a
 * real nginx (ranged GETs) and on POSIX (file ranges) gives the same digest as one sequential
 * read, a damaged file is told apart, missing files keep their error class, and a server that
 * ignores Range is read in one piece instead.
 */
import assert from 'node:assert/strict'
import { createReadStream, openSync, writeSync, closeSync } from 'node:fs'
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
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
