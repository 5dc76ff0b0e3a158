/**
 * The one place where database errors become catalogue errors. Stores call `mapDatabaseError`
 * in their catch blocks with the codes that fit the table they write.
 */
import { ContinuumError, type ErrorCode } from '../platform/index.js'

interface PgLikeError {
  code?: string
  constraint?: string
  detail?: string
  message?: string
}

export const sqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  /** PostgreSQL 17 (PGlite) reports ON DELETE RESTRICT with this code, 15 with 23503. */
  restrictViolation: '23001',
  checkViolation: '23514',
  notNullViolation: '23502',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  stringTooLong: '22001',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  invalidTextRepresentation: '22P02',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03',
} as const

export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as PgLikeError).code
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
  }
  return undefined
}

export function constraintOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null) {
    const e = err as PgLikeError
    if (typeof e.constraint === 'string') return e.constraint
    // PGlite reports the constraint only inside the message text
    const m = /constraint "([^"]+)"/.exec(e.message ?? '')
    return m?.[1]
  }
  return undefined
}

export interface DatabaseErrorMapping {
  /** Code for a unique-key clash, e.g. INFRASTRUCTURE_ALREADY_EXISTS. */
  unique?: { code: ErrorCode; message: string }
  /** Code for a foreign-key failure, e.g. REFERENCE_NOT_FOUND or …_IN_USE. */
  foreignKey?: { code: ErrorCode; message: string }
  details?: Record<string, unknown>
}

/** Turns a driver error into a ContinuumError; errors it does not know are returned unchanged. */
export function mapDatabaseError(err: unknown, mapping: DatabaseErrorMapping = {}): unknown {
  if (err instanceof ContinuumError) return err
  const state = sqlStateOf(err)
  const details = { ...mapping.details, constraint: constraintOf(err) }
  switch (state) {
    case sqlState.uniqueViolation:
      return new ContinuumError(
        mapping.unique?.code ?? 'CONFLICT',
        mapping.unique?.message ?? 'record exists already',
        details,
        { cause: err },
      )
    case sqlState.foreignKeyViolation:
    case sqlState.restrictViolation:
      return new ContinuumError(
        mapping.foreignKey?.code ?? 'REFERENCE_NOT_FOUND',
        mapping.foreignKey?.message ?? 'a referenced record does not exist',
        details,
        { cause: err },
      )
    case sqlState.serializationFailure:
    case sqlState.deadlockDetected:
      return new ContinuumError(
        'TRANSACTION_CONFLICT',
        'a concurrent transaction conflicted; retry',
        {},
        { cause: err },
      )
    case sqlState.characterNotInRepertoire:
    case sqlState.untranslatableCharacter:
      return new ContinuumError(
        'VALIDATION_FAILED',
        'text contains a character the database cannot store (NUL)',
        details,
        { cause: err },
      )
    case sqlState.stringTooLong:
      return new ContinuumError(
        'VALIDATION_FAILED',
        'a text value is longer than its column allows',
        details,
        { cause: err },
      )
    case sqlState.adminShutdown:
    case sqlState.cannotConnectNow:
      return new ContinuumError(
        'DATABASE_UNAVAILABLE',
        'the database is not accepting connections',
        {},
        { cause: err },
      )
    default:
      if (isConnectionError(err)) {
        return new ContinuumError(
          'DATABASE_UNAVAILABLE',
          'the database cannot be reached',
          {},
          { cause: err },
        )
      }
      return err
  }
}

// pg reports a connection that broke, or a pool that could not get one in time, in plain
// errors without a code; these are the messages it uses.
const connectionMessages =
  /^(Connection terminated|Client has encountered a connection error|Connection terminated due to connection timeout|timeout exceeded when trying to connect|Client was closed and is not queryable)/

/** True for errors that mean the database could not be reached, not that a statement failed. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  const code = e?.code
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    code === 'EHOSTUNREACH' ||
    code === sqlState.adminShutdown ||
    code === sqlState.cannotConnectNow ||
    code === '57P02' ||
    code === '08006' ||
    code === '08001' ||
    code === '08003'
  ) {
    return true
  }
  return code === undefined && typeof e?.message === 'string' && connectionMessages.test(e.message)
}
