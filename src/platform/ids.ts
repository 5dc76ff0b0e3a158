import { randomBytes } from 'node:crypto'
import { validate, version } from 'uuid'

export { newId } from './new-id.js'

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for any well-formed UUID (records imported from elsewhere may carry v4 ids). */
export function isUuid(value: string): boolean {
  return uuidShape.test(value) && validate(value)
}

export function isUuidV7(value: string): boolean {
  return isUuid(value) && version(value) === 7
}

const processPrefix = randomBytes(4).toString('hex')
let requestCounter = 0

/**
 * Request ids: unique across processes (random per-process prefix) and cheap (a counter), since
 * one is made for every API request.
 */
export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER
  return `${processPrefix}-${requestCounter.toString(36)}`
}
