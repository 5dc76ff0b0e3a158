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
  VALIDATION_FAILED: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'A field is missing, of the wrong type, out of range or unknown.',
  },
  MALFORMED_REQUEST: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'The request body is not valid JSON, or the request is otherwise unreadable.',
  },
  INVALID_ARGUMENT: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'A command-line argument or option is invalid.',
  },
  CONFIG_INVALID: {
    status: 500,
    exit: e.invalid,
    retryable: false,
    summary: 'A configuration value (flag, environment variable or config file) is invalid.',
  },
  FILE_PERMISSIONS_UNSAFE: {
    status: 500,
    exit: e.invalid,
    retryable: false,
    summary:
      'The home or database folder can be written by other users; the message gives the chmod that fixes it.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    exit: e.invalid,
    retryable: false,
    summary: 'The request body exceeds the server limit.',
  },
  INPUT_TOO_COMPLEX: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      'A JSON or YAML body exceeds a limit on keys, nodes, nesting depth or aliases (an alias bomb, for one); details name the limit.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exit: e.invalid,
    retryable: false,
    summary: 'The request body has a content type the route does not accept.',
  },
  REFERENCE_NOT_FOUND: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary: 'A field refers to a record that does not exist.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No API route matches the method and path.',
  },

  // Identity and authorisation
  UNAUTHENTICATED: {
    status: 401,
    exit: e.denied,
    retryable: false,
    summary: 'No valid bearer token was presented.',
  },
  POLICY_DENIED: {
    status: 403,
    exit: e.denied,
    retryable: false,
    summary: 'The authorisation policy denies this action on this resource.',
  },

  // Security: identity, policies, audit
  POLICY_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      'A Cedar policy does not parse or does not validate against the schema of actions and entities.',
  },
  POLICY_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No policy has this name.',
  },
  DEVICE_CODE_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'The device login code is unknown, expired or already used.',
  },
  REVOCATION_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'This community membership is revoked already.',
  },
  REVOCATION_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No revocation has this id.',
  },
  NOT_LOGGED_IN: {
    status: 401,
    exit: e.denied,
    retryable: false,
    summary: 'The CLI has no token (or it expired); run `continuum login`.',
  },

  // Catalogue
  COMMUNITY_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No community has this id or name.',
  },
  COMMUNITY_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A community with this name exists already.',
  },
  INFRASTRUCTURE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No infrastructure has this id or name.',
  },
  INFRASTRUCTURE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'An infrastructure with this name exists already.',
  },
  INFRASTRUCTURE_IN_USE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The infrastructure cannot be deleted while other records refer to it.',
  },

  // Landscape (catalogue records beyond communities and infrastructures, use cases, imports)
  SITE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No site has this id or name.',
  },
  SITE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A site with this name exists already.',
  },
  COMPUTE_SERVICE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No compute service has this id or name.',
  },
  COMPUTE_SERVICE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A compute service with this name exists already.',
  },
  STORAGE_SERVICE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No storage service has this id or name.',
  },
  STORAGE_SERVICE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A storage service with this name exists already.',
  },
  SOFTWARE_ENVIRONMENT_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No software environment has this id or name.',
  },
  SOFTWARE_ENVIRONMENT_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A software environment with this name exists already.',
  },
  NETWORK_LINK_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No network link has this id or name.',
  },
  NETWORK_LINK_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A network link with this name exists already.',
  },
  ACCESS_POLICY_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No access policy has this id or name.',
  },
  ACCESS_POLICY_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'An access policy with this name exists already.',
  },
  ALLOCATION_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No allocation has this id or name.',
  },
  ALLOCATION_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'An allocation with this name exists already.',
  },
  WORKING_GROUP_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No working group has this id or name.',
  },
  WORKING_GROUP_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A working group with this name exists already.',
  },
  MEMBER_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No community member has this id or name, or the working group has no such member.',
  },
  MEMBER_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The community has a member with this name already.',
  },
  USE_CASE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No use case has this id or name.',
  },
  USE_CASE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A use case with this name exists already.',
  },
  SCENARIO_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      'The what-if scenario is not valid YAML, misses a field, has a wrong type or a negative or out-of-range figure; details.errors list each with its path.',
  },
  SCENARIO_UNKNOWN_SITE: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary:
      'The scenario names a site (in ingest, a link, an outage, or a landscape reference) that it does not define and the shipped landscape does not hold.',
  },
  SCENARIO_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No shipped what-if scenario has this name (see `continuum plan scenarios`).',
  },
  USE_CASE_REVIEW_INCOMPLETE: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'A use case marked reviewed must name its reviewer and review date.',
  },
  DOCUMENT_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No knowledge-hub document has this id or name.',
  },
  DOCUMENT_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A knowledge-hub document with this name exists already.',
  },
  RECORD_IN_USE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The record cannot be deleted while other records refer to it.',
  },
  AMBIGUOUS_NAME: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The name matches several records (members of different communities); give the id.',
  },
  IMPORT_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      'A catalogue file (YAML, or GLUE 2.0 as JSON or LDIF) has errors — syntax, wrong types, unknown values; nothing was imported. details.errors lists file:line:col, path and message.',
  },

  // Data federation: namespace, endpoints, replicas, rules, quotas
  DID_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'A data identifier (scope:name) breaks the grammar: length, characters, "/", "..".',
  },
  DID_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No data identifier has this scope:name (or it was deleted).',
  },
  DID_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The scope:name is taken; names are never reused, even after deletion.',
  },
  DID_CLOSED: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'The dataset or container is closed (or monotonic) and cannot change its content this way.',
  },
  DID_ATTACHMENT_INVALID: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary:
      'This attachment is not allowed: datasets hold files, containers hold datasets and containers, no cycles.',
  },
  SCOPE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No scope has this name.',
  },
  SCOPE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A scope with this name exists already.',
  },
  EXPRESSION_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary: 'The endpoint expression has a syntax error; details.position says where.',
  },
  EXPRESSION_EMPTY: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary: 'The endpoint expression is valid but selects no endpoint.',
  },
  ENDPOINT_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No storage endpoint has this name or id.',
  },
  ENDPOINT_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A storage endpoint with this name exists already.',
  },
  ENDPOINT_URL_REFUSED: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      "A storage endpoint URL is outside the site's URL policy (scheme, storage roots, address ranges).",
  },
  ENDPOINT_UNAVAILABLE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'The endpoint is not available for this operation (read, write or delete is switched off).',
  },
  REPLICA_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'The file has no replica on this endpoint.',
  },
  REPLICA_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The file has a replica on this endpoint already.',
  },
  CHECKSUM_MISMATCH: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary: 'Size or checksum differ from what is recorded or declared for the file.',
  },
  RULE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No replication rule has this id.',
  },
  RULE_UNSATISFIABLE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The endpoint expression selects fewer writable endpoints than the rule asks copies.',
  },
  TRANSFER_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No transfer request has this id.',
  },
  QUOTA_EXCEEDED: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'The rule would need more bytes on an endpoint than the quota leaves; details give the numbers.',
  },
  STORAGE_ERROR: {
    status: 502,
    exit: e.unavailable,
    retryable: true,
    summary:
      'A storage endpoint failed or answered unexpectedly (details name the endpoint and URL).',
  },
  STORAGE_FILE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'The storage endpoint holds no file at this URL (a transfer source that is missing).',
  },
  STORAGE_PERMISSION_DENIED: {
    status: 403,
    exit: e.denied,
    retryable: false,
    summary: 'The storage endpoint refused the operation (credentials or token scope).',
  },
  STORAGE_FULL: {
    status: 507,
    exit: e.unavailable,
    retryable: false,
    summary: 'The storage endpoint has no space left for the file.',
  },
  STORAGE_TIMEOUT: {
    status: 504,
    exit: e.unavailable,
    retryable: true,
    summary: 'A storage operation took longer than its deadline.',
  },
  STORAGE_UNREACHABLE: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: 'The storage endpoint could not be reached (connection refused, reset or DNS).',
  },
  STORAGE_SYMLINK_REFUSED: {
    status: 403,
    exit: e.denied,
    retryable: false,
    summary:
      'A POSIX storage path goes through a symbolic link; storage never follows links out of its root.',
  },

  // Workflows and executors
  WORKFLOW_INVALID: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      'The workflow document has errors; each is listed with its file, line, column and path.',
  },
  CWL_UNSUPPORTED: {
    status: 422,
    exit: e.invalid,
    retryable: false,
    summary:
      'The CWL document is valid but uses a feature the engine does not run (a nested workflow, a requirement it does not offer); `continuum cwl-runner` may run it.',
  },
  WORKDIR_REFUSED: {
    status: 400,
    exit: e.invalid,
    retryable: false,
    summary:
      "A workflow's workdir is not a real folder under the site's workdirRoots, or overlaps the server's own files.",
  },
  STAGE_OUT_REFUSED: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'A task output is not a regular file inside its run folder (a symbolic link, a path outside it, or too large).',
  },
  WORKFLOW_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No workflow has this id.',
  },
  QUESTIONNAIRE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No questionnaire (or no such version of it) has this name.',
  },
  QUESTIONNAIRE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A questionnaire with this name exists already.',
  },
  FINDING_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No finding has this name (in this working group).',
  },
  FINDING_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A finding with this name exists already.',
  },
  DRAFT_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No draft document has this name.',
  },
  DRAFT_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'A draft document with this name exists already.',
  },
  COMMENT_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'The draft has no comment with this id.',
  },
  MEETING_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'The working group has no meeting with this id.',
  },
  PRACTICE_STATE_CONFLICT: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      "The finding, draft, comment or working group is not in a state that allows this (e.g. commenting on a closed draft, resolving a resolved comment, removing or demoting a group's last coordinator).",
  },
  TASK_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'The workflow has no task of this name or id.',
  },
  WORKFLOW_STATE_CONFLICT: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'The workflow is not in a state that allows this (e.g. cancelling a finished workflow).',
  },
  COMPUTE_SITE_NOT_FOUND: {
    status: 404,
    exit: e.notFound,
    retryable: false,
    summary: 'No compute site has this name.',
  },
  COMPUTE_SITE_ALREADY_EXISTS: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'A compute site of this name, or a binding of this compute service, exists already (add with replace to change it).',
  },
  COMPUTE_SITE_IN_USE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      'The compute site still has unfinished tasks: drain it, let them finish (or cancel their workflows), then remove it.',
  },
  IMAGE_UNAVAILABLE: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary:
      "A task's container image is not in the site's image store, or could not be unpacked there.",
  },
  EXECUTOR_UNAVAILABLE: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: "A compute site's batch system could not be reached or refused the request.",
  },

  // Concurrency and availability
  CONFLICT: {
    status: 409,
    exit: e.conflict,
    retryable: false,
    summary: 'The change conflicts with the current state of a record.',
  },
  TRANSACTION_CONFLICT: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: 'A concurrent transaction won; the same request may be retried.',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: 'The database cannot be reached.',
  },
  SCHEMA_OUT_OF_DATE: {
    status: 503,
    exit: e.unavailable,
    retryable: false,
    summary:
      'The database schema does not match this version of Continuum; run `continuum migrate`.',
  },
  MIGRATION_FAILED: {
    status: 500,
    exit: e.internal,
    retryable: false,
    summary: 'A schema migration failed or a landed migration was edited.',
  },
  SERVER_UNREACHABLE: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: 'The client could not connect to the Continuum server.',
  },
  SHUTTING_DOWN: {
    status: 503,
    exit: e.unavailable,
    retryable: true,
    summary: 'The server is shutting down; retry against another instance.',
  },
  RATE_LIMITED: {
    status: 429,
    exit: e.unavailable,
    retryable: true,
    summary:
      'Too many requests from this client address to a public endpoint, or too many failed authentications; retry after the number of seconds in Retry-After.',
  },
  TIMEOUT: {
    status: 504,
    exit: e.unavailable,
    retryable: true,
    summary: 'The operation did not finish in time.',
  },
  INTERNAL: {
    status: 500,
    exit: e.internal,
    retryable: true,
    summary: 'An unexpected error; details are in the server log under the request id.',
  },
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

  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
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
