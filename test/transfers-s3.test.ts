/**
 * The S3 protocol against a real S3-compatible server (s3rver, its own process): round trips,
 * multipart uploads, failure classes, verified copies (read back: S3 has no adler32) and
 * server-side copy within one service.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  S3Protocol,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { bytesOf, randomData, tempStorage } from './support/posix-endpoints.js'
import { startS3, type S3Server } from './support/s3.js'

describe('S3 protocol against s3rver', () => {
  let server: S3Server
  let s3: S3Protocol
  before(async () => {
    server = await startS3(['continuum', 'other'])
    s3 = new S3Protocol({
      credentials: { [server.hostPort]: server.credentials },
      partBytes: 5 << 20,
    })
  })
  after(() => server.stop())

  it('writes, reads, stats and deletes idempotently', async () => {
    const data = randomData(700_000)
    const url = `${server.url}/continuum/a/b/file.bin`
    await s3.write(url, bytesOf(data), { bytes: data.length })
    assert.deepEqual(await s3.stat(url), { bytes: data.length })
    assert.deepEqual(await digestOf(s3.read(url)), await digestOf(bytesOf(data)))
    await s3.delete(url)
    assert.equal(await s3.stat(url), undefined)
    await s3.delete(url)
  })

  it('uploads large objects in parts, with or without a declared size', async () => {
    const data = randomData((12 << 20) + 12345)
    const expected = await digestOf(bytesOf(data))
    for (const [key, bytes] of [
      ['multi/sized.bin', data.length],
      ['multi/unsized.bin', undefined],
    ] as const) {
      await s3.write(`${server.url}/continuum/${key}`, bytesOf(data), { bytes })
      assert.deepEqual(await digestOf(s3.read(`${server.url}/continuum/${key}`)), expected)
    }
  })

  it('classifies missing objects and buckets, unknown keys and an unreachable server', async () => {
    await rejectsWith(
      digestOf(s3.read(`${server.url}/continuum/none.bin`)),
      'STORAGE_FILE_NOT_FOUND',
      'NoSuchKey',
    )
    await rejectsWith(
      s3.write(`${server.url}/no-such-bucket/x.bin`, bytesOf(randomData(10)), { bytes: 10 }),
      'STORAGE_FILE_NOT_FOUND',
      'NoSuchBucket',
    )
    const stranger = new S3Protocol({
      credentials: { [server.hostPort]: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } },
    })
    await rejectsWith(stranger.stat(`${server.url}/continuum/a.bin`), 'STORAGE_PERMISSION_DENIED')
    await rejectsWith(
      stranger.write(`${server.url}/continuum/a.bin`, bytesOf(randomData(10)), { bytes: 10 }),
      'STORAGE_PERMISSION_DENIED',
      'InvalidAccessKeyId',
    )
    const nowhere = new S3Protocol({ credentials: { '127.0.0.1:1': server.credentials } })
    await rejectsWith(nowhere.stat('s3+http://127.0.0.1:1/continuum/a.bin'), 'STORAGE_UNREACHABLE')
    await rejectsWith(s3.stat('s3://host/Not_A_Bucket/k'), 'VALIDATION_FAILED')
  })

  it('leaves no object when the source fails during a multipart upload', async () => {
    async function* failing() {
      for (let i = 0; i < 3; i++) yield randomData(4 << 20)
      throw new Error('source went away')
    }
    const url = `${server.url}/continuum/broken/x.bin`
    await rejectsWith(s3.write(url, failing()), 'STORAGE_ERROR', 'source went away')
    assert.equal(await s3.stat(url), undefined)
    // The parts already sent prove the upload was multipart. s3rver keeps them: it has no
    // AbortMultipartUpload (a real S3 service drops them on the abort the SDK sends).
    const uploads = readdirSync(path.join(server.directory, 'continuum')).filter((f) =>
      f.includes('uploads'),
    )
    const parts = uploads.flatMap((u) =>
      readdirSync(path.join(server.directory, 'continuum', u)).flatMap((id) =>
        readdirSync(path.join(server.directory, 'continuum', u, id)),
      ),
    )
    assert.ok(parts.includes('1') && parts.includes('2'), `parts stored: ${parts.join(', ')}`)
  })

  it('copies POSIX → S3 → POSIX verified by reading back, and S3 → S3 server-side', async () => {
    const storage = tempStorage()
    try {
      const registry = new ProtocolRegistry([new PosixProtocol(), s3])
      const data = randomData(1_000_000)
      const src = `file://${storage.root}/src.bin`
      await registry.for(src).write(src, bytesOf(data))
      const expected = await digestOf(bytesOf(data))
      const up = await copyVerified(registry, src, `${server.url}/continuum/c/x.bin`, expected)
      assert.deepEqual(up, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
      const down = await copyVerified(
        registry,
        `${server.url}/continuum/c/x.bin`,
        `file://${storage.root}/back.bin`,
        expected,
      )
      assert.deepEqual(down, { ...expected, mode: 'streamed', verifiedBy: 'read-back' })
      const inside = await copyVerified(
        registry,
        `${server.url}/continuum/c/x.bin`,
        `${server.url}/other/c/y.bin`,
        { bytes: null, adler32: null },
      )
      assert.deepEqual(inside, { ...expected, mode: 'tpc', verifiedBy: 'read-back' })
      await rejectsWith(
        copyVerified(registry, src, `${server.url}/continuum/c/wrong.bin`, {
          bytes: data.length,
          adler32: '00000000',
        }),
        'CHECKSUM_MISMATCH',
      )
      assert.equal(await s3.stat(`${server.url}/continuum/c/wrong.bin`), undefined)
    } finally {
      storage.cleanup()
    }
  })

  it('takes credentials per host:port from CONTINUUM_S3_CREDENTIALS, and refuses a malformed value', async () => {
    const saved = process.env.CONTINUUM_S3_CREDENTIALS
    try {
      process.env.CONTINUUM_S3_CREDENTIALS = JSON.stringify({
        [server.hostPort]: server.credentials,
      })
      const fromEnv = new S3Protocol()
      const url = `${server.url}/continuum/env/x.bin`
      await fromEnv.write(url, bytesOf(randomData(100)), { bytes: 100 })
      assert.deepEqual(await fromEnv.stat(url), { bytes: 100 })
      process.env.CONTINUUM_S3_CREDENTIALS = '{"h:1": {"accessKeyId": "AKIA-secret-part"}}'
      assert.throws(
        () => new S3Protocol(),
        (err: Error & { code?: string }) =>
          err.code === 'CONFIG_INVALID' && !err.message.includes('AKIA-secret-part'),
      )
    } finally {
      if (saved === undefined) delete process.env.CONTINUUM_S3_CREDENTIALS
      else process.env.CONTINUUM_S3_CREDENTIALS = saved
    }
  })
})
