/**
 * The one place where failures become HTTP responses: `{"error":{code,message,details,requestId}}`
 * with the status the catalogue assigns to the code. Unknown errors become INTERNAL; their
 * details go to the log under the request id, never to the client.
 */
import type { ErrorObject } from 'ajv'
import type { FastifyError, FastifyInstance } from 'fastify'
import { isConnectionError, mapDatabaseError } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { validationError } from './validation.js'

const fastifyCodes: Record<string, (err: FastifyError) => ContinuumError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new ContinuumError('MALFORMED_REQUEST', 'request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new ContinuumError('MALFORMED_REQUEST', 'request body is empty but the content type is JSON'),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new ContinuumError('PAYLOAD_TOO_LARGE', 'request body is larger than the server accepts'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new ContinuumError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type; send application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new ContinuumError('MALFORMED_REQUEST', 'content-length does not match the body'),
  FST_ERR_CTP_INVALID_TYPE: () =>
    new ContinuumError('MALFORMED_REQUEST', 'content-type header is invalid'),
  FST_ERR_BAD_URL: () => new ContinuumError('MALFORMED_REQUEST', 'the URL is not valid'),
  FST_ERR_ASYNC_CONSTRAINT: () =>
    new ContinuumError('MALFORMED_REQUEST', 'the request could not be routed'),
}

export function toContinuumError(err: unknown): ContinuumError {
  if (err instanceof ContinuumError) {
    // A use case that wrapped a lost connection as INTERNAL is still an outage: 503, retryable.
    if (err.code === 'INTERNAL' && isConnectionError(err.cause)) return unavailable(err.cause)
    return err
  }
  const fe = err as FastifyError & { validation?: ErrorObject[]; validationContext?: string }
  if (Array.isArray(fe.validation)) {
    return validationError(fe.validation, fe.validationContext ?? 'request')
  }
  const known = typeof fe.code === 'string' ? fastifyCodes[fe.code] : undefined
  if (known) return known(fe)
  const mapped = mapDatabaseError(err)
  if (mapped instanceof ContinuumError) return mapped
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ContinuumError('MALFORMED_REQUEST', fe.message)
  }
  return new ContinuumError('INTERNAL', 'internal error', {}, { cause: err })
}

function unavailable(cause: unknown): ContinuumError {
  return new ContinuumError(
    'DATABASE_UNAVAILABLE',
    'the database cannot be reached; retry',
    {},
    { cause },
  )
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const error = toContinuumError(err)
    if (error.code === 'INTERNAL') request.log.error({ err }, 'request failed')
    else if (error.code === 'DATABASE_UNAVAILABLE') {
      request.log.info({ message: (err as Error).message }, 'request met a database outage')
    } else request.log.debug({ code: error.code, message: error.message }, 'request refused')
    if (error.retryable && error.status === 503) reply.header('retry-after', '1')
    return reply.status(error.status).send({
      error: {
        code: error.code,
        message: error.message,
        details: error.details,
        requestId: request.id,
      },
    })
  })
  app.setNotFoundHandler((request, reply) => {
    const error = new ContinuumError(
      'ROUTE_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}`,
    )
    return reply.status(error.status).send({ error: { ...error.toJSON(), requestId: request.id } })
  })
}
