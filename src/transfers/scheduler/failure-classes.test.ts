import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ContinuumError } from '../../platform/index.js'
import { classifyFailure, retryDelay, TransferFailure } from './failure-classes.js'

function errno(code: string, message = code): Error {
  return Object.assign(new Error(message), { code })
}

describe('failure classes', () => {
  it('reads the catalogue codes of the storage protocols', () => {
    const cases: Array<[string, string, boolean]> = [
      ['STORAGE_FILE_NOT_FOUND', 'source_missing', true],
      ['STORAGE_PERMISSION_DENIED', 'permission', false],
      ['STORAGE_FULL', 'destination_full', false],
      ['STORAGE_TIMEOUT', 'timeout', true],
      ['STORAGE_UNREACHABLE', 'network', true],
      ['CHECKSUM_MISMATCH', 'checksum_mismatch', true],
      ['STORAGE_ERROR', 'storage_error', true],
    ]
    for (const [code, failureClass, retryable] of cases) {
      const got = classifyFailure(new ContinuumError(code as 'STORAGE_ERROR', 'x'))
      assert.deepEqual([got.failureClass, got.retryable], [failureClass, retryable], code)
    }
    assert.equal(
      classifyFailure(new ContinuumError('STORAGE_FILE_NOT_FOUND', 'x')).needsOtherSource,
      true,
    )
  })

  it('falls back to errno and HTTP status along the cause chain', () => {
    assert.equal(classifyFailure(errno('ENOSPC')).failureClass, 'destination_full')
    assert.equal(classifyFailure(errno('EACCES')).failureClass, 'permission')
    assert.equal(classifyFailure(errno('ENOENT')).failureClass, 'source_missing')
    const fetchFailed = new TypeError('fetch failed', { cause: errno('ECONNREFUSED') })
    const got = classifyFailure(
      new ContinuumError('STORAGE_ERROR', 'GET', {}, { cause: fetchFailed }),
    )
    assert.equal(got.failureClass, 'network', 'a generic STORAGE_ERROR defers to its cause')
    const full = new ContinuumError('STORAGE_FULL', 'x', {}, { cause: fetchFailed })
    assert.equal(classifyFailure(full).failureClass, 'destination_full', 'a specific code wins')
    assert.equal(
      classifyFailure(new ContinuumError('STORAGE_ERROR', 'x')).failureClass,
      'storage_error',
    )
    assert.equal(classifyFailure(fetchFailed).failureClass, 'network')
    assert.match(classifyFailure(fetchFailed).message, /fetch failed: ECONNREFUSED/)
    assert.equal(
      classifyFailure(new Error('PUT http://x: HTTP 507')).failureClass,
      'destination_full',
    )
    assert.equal(
      classifyFailure(Object.assign(new Error('x'), { status: 403 })).failureClass,
      'permission',
    )
    assert.equal(classifyFailure(new Error('surprise')).failureClass, 'internal')
    assert.equal(classifyFailure(new TransferFailure('no_source', 'none')).retryable, false)
  })

  it('backs off exponentially with jitter between half and all of the step', () => {
    assert.equal(
      retryDelay(1, 1000, () => 0),
      500,
    )
    assert.equal(
      retryDelay(1, 1000, () => 1),
      1000,
    )
    assert.equal(
      retryDelay(3, 1000, () => 1),
      4000,
    )
    assert.equal(
      retryDelay(3, 1000, () => 0.5),
      3000,
    )
    assert.equal(
      retryDelay(30, 1000, () => 1, 60_000),
      60_000,
    )
  })
})
