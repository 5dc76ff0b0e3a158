/**
 * Opaque keyset cursors for paged listings: the sort key of the last item of a page, encoded
 * so that clients pass it back unchanged and cannot mistake it for an offset.
 */
import { ContinuumError } from './errors.js'

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string, parts: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string')) return key
  } catch {
    // reported below
  }
  throw new ContinuumError('VALIDATION_FAILED', 'cursor: not a cursor returned by this listing', { field: 'cursor' })
}
