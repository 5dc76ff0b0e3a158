/** Asserts that a promise rejects with a ContinuumError of a given code. */
import assert from 'node:assert/strict'
import { ContinuumError } from '../../src/platform/index.js'

export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  messagePart?: string | RegExp,
): Promise<ContinuumError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof ContinuumError, `expected ContinuumError ${code}, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (messagePart) {
      const pattern =
        typeof messagePart === 'string' ? new RegExp(escapeRegExp(messagePart)) : messagePart
      assert.match(err.message, pattern)
    }
    return err
  }
  assert.fail(`expected ${code}`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
