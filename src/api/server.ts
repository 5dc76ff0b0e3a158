/**
 * Builds the Fastify application: strict validation, one error handler, request ids, OpenAPI,
 * body limits, and the routes of every domain. `startServer` adds listening and graceful shutdown.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Context, Database } from '../db/index.js'
import { newId, type Logger } from '../platform/index.js'
import { installErrorHandling } from './error-handler.js'
import { openApiRoute, registerOpenApi } from './openapi.js'
import { catalogRoutes } from './routes/catalog.js'
import { healthRoutes } from './routes/health.js'
import { metricsRoutes } from './routes/metrics.js'
import { workflowRoutes } from './routes/workflows.js'
import { validatorCompiler } from './validation.js'

export interface ServerOptions {
  ctx: Context
  database: Database
  logger: Logger
  version: string
  bodyLimit?: number
}

const requestIdShape = /^[A-Za-z0-9._:-]{1,64}$/

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // One line per request is written in onResponse instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A caller's X-Request-Id is kept when it is well-formed, so logs join up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && requestIdShape.test(given) ? given : newId()
    },
    routerOptions: { maxParamLength: 256 },
  }) as unknown as FastifyInstance
  app.setValidatorCompiler(validatorCompiler)
  // The API speaks JSON only; text bodies get 415 rather than a confusing schema error.
  app.removeContentTypeParser('text/plain')

  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: unknown; hide?: boolean } | undefined
    if (route.method === 'HEAD') return
    if (!schema?.response) throw new Error(`route ${String(route.method)} ${route.url} has no response schema`)
    if (!route.config?.action) throw new Error(`route ${String(route.method)} ${route.url} declares no policy action`)
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })

  installErrorHandling(app)
  await registerOpenApi(app, options.version)
  healthRoutes(app, { database: options.database, version: options.version })
  openApiRoute(app)
  catalogRoutes(app, { ctx: options.ctx })
  workflowRoutes(app, { ctx: options.ctx })
  metricsRoutes(app, { ctx: options.ctx })
  return app
}
