import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  classifyErrno,
  classifyHttpStatus,
  classifyS3,
  classifyXrootd,
  fromNodeError,
} from './storage-errors.js'
import { parseDigest } from './http-bytes.js'
import { parseXrootdUrl } from './xrootd.js'
import { parseS3Url } from './s3.js'

describe('storage failure classes', () => {
  it('maps errno codes, also when wrapped as the cause of a fetch error', () => {
    const cases: [string, string][] = [
      ['ENOENT', 'STORAGE_FILE_NOT_FOUND'],
      ['EACCES', 'STORAGE_PERMISSION_DENIED'],
      ['EROFS', 'STORAGE_PERMISSION_DENIED'],
      ['ENOSPC', 'STORAGE_FULL'],
      ['EDQUOT', 'STORAGE_FULL'],
      ['ETIMEDOUT', 'STORAGE_TIMEOUT'],
      ['ECONNREFUSED', 'STORAGE_UNREACHABLE'],
      ['ECONNRESET', 'STORAGE_UNREACHABLE'],
      ['ENOTFOUND', 'STORAGE_UNREACHABLE'],
      ['EIO', 'STORAGE_ERROR'],
    ]
    for (const [code, expected] of cases) {
      assert.equal(classifyErrno(Object.assign(new Error('x'), { code })), expected, code)
      const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error(), { code }) })
      assert.equal(classifyErrno(wrapped), expected, `wrapped ${code}`)
    }
    assert.equal(classifyErrno(new DOMException('t', 'TimeoutError')), 'STORAGE_TIMEOUT')
    assert.equal(classifyErrno('nonsense'), 'STORAGE_ERROR')
  })

  it('maps HTTP statuses', () => {
    const cases: [number, string][] = [
      [404, 'STORAGE_FILE_NOT_FOUND'],
      [401, 'STORAGE_PERMISSION_DENIED'],
      [403, 'STORAGE_PERMISSION_DENIED'],
      [507, 'STORAGE_FULL'],
      [413, 'STORAGE_FULL'],
      [504, 'STORAGE_TIMEOUT'],
      [503, 'STORAGE_UNREACHABLE'],
      [500, 'STORAGE_ERROR'],
      [409, 'STORAGE_ERROR'],
    ]
    for (const [status, expected] of cases) assert.equal(classifyHttpStatus(status), expected)
  })

  it('maps the XRootD server codes and client messages xrdcp and xrdfs print', () => {
    const cases: [string, string][] = [
      [
        '[ERROR] Server responded with an error: [3011] Unable to open /x; no such file or directory',
        'STORAGE_FILE_NOT_FOUND',
      ],
      [
        '[ERROR] Server responded with an error: [3010] Unable to open /x; permission denied',
        'STORAGE_PERMISSION_DENIED',
      ],
      [
        '[ERROR] Server responded with an error: [3009] Unable to write /x; no space left on device',
        'STORAGE_FULL',
      ],
      ['[ERROR] Server responded with an error: [3021] quota exceeded', 'STORAGE_FULL'],
      ['[ERROR] Server responded with an error: [3019] checksum error', 'CHECKSUM_MISMATCH'],
      ['[FATAL] Connection error:  (destination)', 'STORAGE_UNREACHABLE'],
      ['[ERROR] Operation expired', 'STORAGE_TIMEOUT'],
      ['[ERROR] Server responded with an error: [3012] internal error', 'STORAGE_ERROR'],
      ['something else', 'STORAGE_ERROR'],
    ]
    for (const [message, expected] of cases) {
      assert.equal(classifyXrootd(message), expected, message)
    }
  })

  it('maps S3 error codes, then statuses, then the network error', () => {
    assert.equal(classifyS3({ name: 'NoSuchKey' }), 'STORAGE_FILE_NOT_FOUND')
    assert.equal(
      classifyS3({ name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
      'STORAGE_FILE_NOT_FOUND',
    )
    assert.equal(classifyS3({ Code: 'AccessDenied' }), 'STORAGE_PERMISSION_DENIED')
    assert.equal(classifyS3({ name: 'InvalidAccessKeyId' }), 'STORAGE_PERMISSION_DENIED')
    assert.equal(classifyS3({ name: 'EntityTooLarge' }), 'STORAGE_FULL')
    assert.equal(classifyS3({ name: 'QuotaExceeded' }), 'STORAGE_FULL')
    assert.equal(classifyS3({ name: 'BadDigest' }), 'CHECKSUM_MISMATCH')
    assert.equal(classifyS3({ name: 'Weird', $metadata: { httpStatusCode: 507 } }), 'STORAGE_FULL')
    assert.equal(
      classifyS3(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
      'STORAGE_UNREACHABLE',
    )
    assert.equal(
      classifyS3({ name: 'InternalError', $metadata: { httpStatusCode: 500 } }),
      'STORAGE_ERROR',
    )
  })

  it('names the operation and URL in the message and keeps ContinuumErrors as they are', () => {
    const err = fromNodeError(
      'read',
      'file:///x',
      Object.assign(new Error('gone'), { code: 'ENOENT' }),
    )
    assert.equal(err.code, 'STORAGE_FILE_NOT_FOUND')
    assert.match(err.message, /^read file:\/\/\/x: ENOENT/)
    assert.deepEqual(err.details, { url: 'file:///x', operation: 'read' })
    assert.equal(fromNodeError('write', 'file:///y', err), err)
  })
})

describe('protocol URLs and headers', () => {
  it('parses XRootD URLs and refuses others', () => {
    assert.deepEqual(parseXrootdUrl('root://eos.cern.ch:1094//eos/a/b'), {
      server: 'eos.cern.ch:1094',
      path: '/eos/a/b',
    })
    assert.equal(parseXrootdUrl('roots://h//p').server, 'roots://h')
    for (const bad of ['root://h/relative', 'root://h//a/../b', 'http://h//p']) {
      assert.throws(() => parseXrootdUrl(bad), { code: 'STORAGE_ERROR' })
    }
  })

  it('parses path-style S3 URLs and refuses malformed ones', () => {
    assert.deepEqual(parseS3Url('s3://s3.example.org/data/a/b%20c'), {
      endpoint: 'https://s3.example.org',
      hostPort: 's3.example.org',
      bucket: 'data',
      key: 'a/b c',
    })
    assert.equal(parseS3Url('s3+http://127.0.0.1:9000/bkt/k').endpoint, 'http://127.0.0.1:9000')
    for (const bad of [
      's3://host/bucket',
      's3://host/Bad_Bucket/k',
      's3://host/b/../k',
      'gs://h/b/k',
    ]) {
      assert.throws(() => parseS3Url(bad), { code: 'VALIDATION_FAILED' }, bad)
    }
  })

  it('reads adler32 from an RFC 3230 Digest header', () => {
    assert.equal(parseDigest('adler32=0A1B2C3D', 'adler32'), '0a1b2c3d')
    assert.equal(parseDigest('md5=xyz, ADLER32=1b2c3d', 'adler32'), '001b2c3d')
    assert.equal(parseDigest(['sha-256=abc', 'adler32=deadbeef'], 'adler32'), 'deadbeef')
    assert.equal(parseDigest('md5=xyz', 'adler32'), undefined)
    assert.equal(parseDigest(undefined, 'adler32'), undefined)
  })
})
