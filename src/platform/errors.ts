/**
 * The one error class and the closed catalogue of error codes. Every failure a user can see
 * has a code here; the code alone decides the HTTP status, the CLI exit code and whether a
 * client may retry. Routes and commands never pick status codes themselves.
 */

/** CLI exit codes, shared by every command. */
export const exitCodes = {
  ok: 0,
  internal: 1,
  invalid: 2,
  notFound: 3,
  denied: 4,
  conflict: 5,
  unavailable: 6,
} as const

interface CodeInfo {
  readonly status: number
  readonly exit: number
  readonly retryable: boolean
  /** One line for docs/errors.md and `continuum errors`. */
  readonly summary: string
}

const e = exitCodes

export const errorCatalog = {
  // Request shape and input
  VALIDATION_FAILED: { status: 400, exit: e.invalid, retryable: false, summary: 'A field is missing, of the wrong type, out of range or unknown.' },
  MALFORMED_REQUEST: { status: 400, exit: e.invalid, retryable: false, summary: 'The request body is not valid JSON, or the request is otherwise unreadable.' },
  INVALID_ARGUMENT: { status: 400, exit: e.invalid, retryable: false, summary: 'A command-line argument or option is invalid.' },
  CONFIG_INVALID: { status: 500, exit: e.invalid, retryable: false, summary: 'A configuration value (flag, environment variable or config file) is invalid.' },
  PAYLOAD_TOO_LARGE: { status: 413, exit: e.invalid, retryable: false, summary: 'The request body exceeds the server limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: e.invalid, retryable: false, summary: 'The request body has a content type the route does not accept.' },
  REFERENCE_NOT_FOUND: { status: 422, exit: e.invalid, retryable: false, summary: 'A field refers to a record that does not exist.' },
  ROUTE_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'No API route matches the method and path.' },

  // Identity and authorisation
  UNAUTHENTICATED: { status: 401, exit: e.denied, retryable: false, summary: 'No valid bearer token was presented.' },
  POLICY_DENIED: { status: 403, exit: e.denied, retryable: false, summary: 'The authorisation policy denies this action on this resource.' },

  // Catalogue
  COMMUNITY_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'No community has this id or name.' },
  COMMUNITY_ALREADY_EXISTS: { status: 409, exit: e.conflict, retryable: false, summary: 'A community with this name exists already.' },
  INFRASTRUCTURE_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'No infrastructure has this id or name.' },
  INFRASTRUCTURE_ALREADY_EXISTS: { status: 409, exit: e.conflict, retryable: false, summary: 'An infrastructure with this name exists already.' },
  INFRASTRUCTURE_IN_USE: { status: 409, exit: e.conflict, retryable: false, summary: 'The infrastructure cannot be deleted while other records refer to it.' },

  // Workflows and executors
  WORKFLOW_INVALID: { status: 400, exit: e.invalid, retryable: false, summary: 'The workflow document has errors; each is listed with its file, line, column and path.' },
  WORKFLOW_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'No workflow has this id.' },
  TASK_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'The workflow has no task of this name or id.' },
  WORKFLOW_STATE_CONFLICT: { status: 409, exit: e.conflict, retryable: false, summary: 'The workflow is not in a state that allows this (e.g. cancelling a finished workflow).' },
  SITE_NOT_FOUND: { status: 404, exit: e.notFound, retryable: false, summary: 'No compute site has this name.' },
  EXECUTOR_UNAVAILABLE: { status: 503, exit: e.unavailable, retryable: true, summary: "A compute site's batch system could not be reached or refused the request." },

  // Concurrency and availability
  CONFLICT: { status: 409, exit: e.conflict, retryable: false, summary: 'The change conflicts with the current state of a record.' },
  TRANSACTION_CONFLICT: { status: 503, exit: e.unavailable, retryable: true, summary: 'A concurrent transaction won; the same request may be retried.' },
  DATABASE_UNAVAILABLE: { status: 503, exit: e.unavailable, retryable: true, summary: 'The database cannot be reached.' },
  SCHEMA_OUT_OF_DATE: { status: 503, exit: e.unavailable, retryable: false, summary: 'The database schema does not match this version of Continuum; run `continuum migrate`.' },
  MIGRATION_FAILED: { status: 500, exit: e.internal, retryable: false, summary: 'A schema migration failed or a landed migration was edited.' },
  SERVER_UNREACHABLE: { status: 503, exit: e.unavailable, retryable: true, summary: 'The client could not connect to the Continuum server.' },
  SHUTTING_DOWN: { status: 503, exit: e.unavailable, retryable: true, summary: 'The server is shutting down; retry against another instance.' },
  TIMEOUT: { status: 504, exit: e.unavailable, retryable: true, summary: 'The operation did not finish in time.' },
  INTERNAL: { status: 500, exit: e.internal, retryable: true, summary: 'An unexpected error; details are in the server log under the request id.' },
} as const satisfies Record<string, CodeInfo>

export type ErrorCode = keyof typeof errorCatalog

export const errorCodes = Object.keys(errorCatalog) as ErrorCode[]

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value)
}

export type ErrorDetails = Record<string, unknown>

/** The only error type domain code throws on purpose. */
export class ContinuumError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorDetails

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ContinuumError'
    this.code = code
    this.details = details
  }

  get status(): number {
    return errorCatalog[this.code].status
  }

  get exitCode(): number {
    return errorCatalog[this.code].exit
  }

  get retryable(): boolean {
    return errorCatalog[this.code].retryable
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details }
  }
}

export function isContinuumError(err: unknown): err is ContinuumError {
  return err instanceof ContinuumError
}
