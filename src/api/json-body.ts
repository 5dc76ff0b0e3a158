/**
 * JSON bodies are read by Fastify's own parser (which refuses `__proto__` and `constructor`
 * poisoning) and then checked against the value limits: depth, key count and lone UTF-16
 * surrogates. Checking here, before validation and the handler, answers 400 at once instead
 * of letting a deep or hostile body reach Ajv, a use case or PostgreSQL.
 */
import type { FastifyInstance } from 'fastify'
import { checkValueLimits, defaultValueLimits } from '../platform/index.js'

export function installBoundedJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parseJson(request, body as string, (err, value) => {
      if (err) return done(err, undefined)
      try {
        checkValueLimits(value, defaultValueLimits, 'the request body')
      } catch (limit) {
        return done(limit as Error, undefined)
      }
      done(null, value)
    })
  })
}
