import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ContinuumError } from '../../platform/index.js'
import { classifyXrootd, fromNodeError } from './storage-errors.js'
import { parentOf } from './webdav-collections.js'
import { extraCertificates } from './webdav-tls.js'
import { classifyTpcFailure, isTpcUnsupported, tpcVerdict } from './webdav-tpc.js'

describe('HTTP-TPC answers', () => {
  it('the last line decides; a cut-off marker stream is a failure, a bare 201 a success', () => {
    assert.deepEqual(tpcVerdict(201, 'success: Created', true), { ok: true })
    assert.deepEqual(tpcVerdict(202, 'failure: Remote side failed with status code 404', true), {
      ok: false,
      reason: 'Remote side failed with status code 404',
    })
    assert.equal(tpcVerdict(202, 'End', true).ok, false)
    assert.equal(tpcVerdict(201, 'End', true).ok, false)
    assert.equal(tpcVerdict(202, '', false).ok, false)
    assert.deepEqual(tpcVerdict(201, '', false), { ok: true })
    assert.deepEqual(tpcVerdict(204, '', false), { ok: true })
  })

  it('classifies failure lines by the quoted remote status, else by their words', () => {
    const cases: [string, string][] = [
      [
        'Remote side failed with status code 404; error message: "Unable to open /a; no such file or directory"',
        'STORAGE_FILE_NOT_FOUND',
      ],
      ['Remote side failed with status code 403', 'STORAGE_PERMISSION_DENIED'],
      ['rejected GET: 404 Not Found', 'STORAGE_FILE_NOT_FOUND'],
      ['Failed to connect to 127.0.0.1 port 1: Connection refused', 'STORAGE_UNREACHABLE'],
      ['Transfer timed out after 600 seconds', 'STORAGE_TIMEOUT'],
      ['Remote side failed with status code 500', 'STORAGE_ERROR'],
      ['something odd', 'STORAGE_ERROR'],
    ]
    for (const [line, code] of cases) assert.equal(classifyTpcFailure(line), code, line)
  })

  it('tells "no HTTP-TPC here" from XrdHttp missing the destination folder', () => {
    assert.equal(isTpcUnsupported(400, '<html>400 Bad Request</html>'), true)
    assert.equal(isTpcUnsupported(405, ''), true)
    assert.equal(isTpcUnsupported(501, ''), true)
    assert.equal(isTpcUnsupported(409, 'Destination header required'), true)
    assert.equal(
      isTpcUnsupported(400, 'Unable to create /c/d/g.bin; no such file or directory'),
      false,
    )
    assert.equal(isTpcUnsupported(403, ''), false)
  })
})

describe('WebDAV folders and TLS settings', () => {
  it('finds the parent folder of a file or folder URL', () => {
    assert.equal(parentOf('http://h:1/a/b/f.bin'), 'http://h:1/a/b/')
    assert.equal(parentOf('http://h:1/a/b/'), 'http://h:1/a/')
    assert.equal(parentOf('https://h/a/'), undefined)
    assert.equal(parentOf('http://h/f.bin'), undefined)
  })

  it('refuses CA settings that hold no certificate, naming the setting', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-ca-unit-'))
    try {
      const invalid = (fn: () => unknown, pattern: RegExp) =>
        assert.throws(fn, (e: unknown) => {
          assert.ok(e instanceof ContinuumError)
          assert.equal(e.code, 'CONFIG_INVALID')
          assert.match(e.message, pattern)
          return true
        })
      invalid(() => extraCertificates({ caDir: dir }, {}), /caDir: .* holds no CA certificates/)
      invalid(
        () => extraCertificates({}, { X509_CERT_DIR: path.join(dir, 'none') }),
        /X509_CERT_DIR: .* not a readable folder/,
      )
      writeFileSync(path.join(dir, 'bad.pem'), 'hello')
      invalid(() => extraCertificates({ caDir: dir }, {}), /bad\.pem holds no PEM certificate/)
      invalid(
        () =>
          extraCertificates(
            { ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
            {},
          ),
        /does not parse/,
      )
      assert.deepEqual(extraCertificates({}, {}), [])
      assert.deepEqual(extraCertificates({}, { X509_CERT_DIR: '' }), [])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an untrusted certificate is a permission failure with advice, for https and roots://', () => {
    const err = fromNodeError(
      'GET',
      'https://h/x',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    )
    assert.equal(err.code, 'STORAGE_PERMISSION_DENIED')
    assert.match(err.message, /not trusted .*X509_CERT_DIR/)
    assert.equal(
      classifyXrootd('[FATAL] TLS error: resource temporarily unavailable'),
      'STORAGE_PERMISSION_DENIED',
    )
  })
})
