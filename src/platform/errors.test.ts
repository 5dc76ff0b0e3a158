import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ContinuumError, errorCatalog, errorCodes, exitCodes, isErrorCode } from './errors.js'

describe('error catalogue', () => {
  it('maps every code to a 4xx/5xx status and a non-zero exit code', () => {
    for (const code of errorCodes) {
      const info = errorCatalog[code]
      assert.ok(info.status >= 400 && info.status < 600, code)
      assert.ok(Object.values(exitCodes).includes(info.exit as never) && (info.exit as number) !== 0, code)
      assert.match(code, /^[A-Z][A-Z0-9_]+$/)
    }
  })

  it('documents every code in docs/errors.md with its status (run `npm run docs:errors`)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
    for (const code of errorCodes) {
      const info = errorCatalog[code]
      assert.ok(doc.includes(`| \`${code}\` | ${info.status} | ${info.exit} `), `${code} missing or stale in docs/errors.md`)
    }
  })

  it('carries status, exit code and retryability from the catalogue', () => {
    const err = new ContinuumError('DATABASE_UNAVAILABLE', 'down', { host: 'db' })
    assert.equal(err.status, 503)
    assert.equal(err.exitCode, exitCodes.unavailable)
    assert.equal(err.retryable, true)
    assert.deepEqual(err.toJSON(), { code: 'DATABASE_UNAVAILABLE', message: 'down', details: { host: 'db' } })
    assert.equal(isErrorCode('NOPE'), false)
    assert.equal(isErrorCode('toString'), false, 'prototype keys are not codes')
  })
})
