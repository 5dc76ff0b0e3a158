/**
 * Builds the Fastify application: strict validation, one error handler, request ids, OpenAPI,
 * body limits, and the routes of every domain. `startServer` adds listening and graceful shutdown.
 */
import os from 'node:os'
import path from 'node:path'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { actingAs, type BaseContext, type Database } from '../db/index.js'
import { newRequestId, systemActor, type Logger } from '../platform/index.js'
import { createAccessLog } from './access-log.js'
import { serializerFactory } from './serialization.js'
import { installErrorHandling } from './error-handler.js'
import { openApiRoute, registerOpenApi } from './openapi.js'
import { installDurableDenials } from './audit-durability.js'
import { installGate } from './gate.js'
import { installBoundedJsonParser } from './json-body.js'
import { auditRoutes } from './routes/audit.js'
import { authRoutes } from './routes/auth.js'
import { catalogRoutes } from './routes/catalog.js'
import { catalogIoRoutes } from './routes/catalog-io.js'
import { recordRoutes } from './routes/catalog-services.js'
import { landscapeRoutes } from './routes/landscape.js'
import { planRoutes } from './routes/plan.js'
import { practiceRoutes } from './routes/practice.js'
import { practiceSurveyRoutes } from './routes/practice-survey.js'
import { dataRuleRoutes } from './routes/data-rules.js'
import { dataRoutes } from './routes/data.js'
import { dataTransferRoutes } from './routes/data-transfers.js'
import { transferRoutes } from './routes/transfers.js'
import { healthRoutes } from './routes/health.js'
import { policyRoutes } from './routes/policy.js'
import { Security, type SecurityOptions } from './security.js'
import { metricsRoutes } from './routes/metrics.js'
import { siteRoutes } from './routes/sites.js'
import { workflowRoutes } from './routes/workflows.js'
import { validatorCompiler } from './validation.js'
import { webRoutes } from './routes/web.js'
import { submitAction, type WorkdirPolicy } from '../workflows/index.js'

/** Cedar actions the system decides that no route declares. */
const unroutedActions = [submitAction]

export interface ServerOptions {
  ctx: BaseContext
  database: Database
  logger: Logger
  version: string
  bodyLimit?: number
  /** Token issuers, the built-in issuer and gate settings; default: gate on, no issuer trusted. */
  security?: SecurityOptions
  /**
   * Folder under which a workflow submitted without a `workdir` gets one of its own
   * (`<root>/<workflow id>`); default `<tmpdir>/continuum-workflows`. `serve` and `demo` use
   * `<home>/workflows`.
   */
  workflowsRoot?: string
  /**
   * Where sites bound without a `root` keep their run folders (`<root>/<site>`); default
   * `<tmpdir>/continuum-runs`. `serve` and `demo` use `<home>/runs`.
   */
  sitesRoot?: string
  /**
   * Where clients may name a workflow's `workdir` (default: only under `workflowsRoot`) and what
   * it may never touch (the server's home).
   */
  workdirPolicy?: Partial<WorkdirPolicy>
  /** Build every response serialiser now rather than on first use (tests). */
  eagerSerializers?: boolean
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
      return typeof given === 'string' && requestIdShape.test(given) ? given : newRequestId()
    },
    routerOptions: { maxParamLength: 256 },
    schemaController: {
      compilersFactory: {
        buildSerializer: serializerFactory({ eager: options.eagerSerializers === true }),
      },
    },
  }) as unknown as FastifyInstance
  app.setValidatorCompiler(validatorCompiler)
  // The API speaks JSON only; text bodies get 415 rather than a confusing schema error.
  app.removeContentTypeParser('text/plain')
  installBoundedJsonParser(app)

  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: unknown; hide?: boolean } | undefined
    if (route.method === 'HEAD') return
    if (!schema?.response) {
      throw new Error(`route ${String(route.method)} ${route.url} has no response schema`)
    }
    if (!route.config?.action) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no policy action`)
    }
  })
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  const accessLog = createAccessLog(options.logger)
  app.addHook('onResponse', (request, reply, done) => {
    accessLog(request, reply)
    done()
  })
  app.addHook('onClose', (_app, done) => {
    accessLog.flush()
    done()
  })

  // The gate's onRoute hook must see every route, so it is installed before any is added.
  const security = new Security(
    actingAs(options.ctx, systemActor('gate')),
    options.logger,
    options.security,
  )
  // Actions decided outside any route (the broker's "may this community submit tasks to this
  // compute service") belong to the Cedar schema too, so policies and `policy test` know them.
  for (const action of unroutedActions) security.actions.add(action)
  installGate(app, security, options.ctx)
  installDurableDenials(app, security)
  installErrorHandling(app)
  await registerOpenApi(app, options.version)
  healthRoutes(app, { database: options.database, version: options.version })
  openApiRoute(app)
  catalogRoutes(app)
  recordRoutes(app)
  catalogIoRoutes(app)
  landscapeRoutes(app)
  planRoutes(app)
  practiceRoutes(app)
  practiceSurveyRoutes(app)
  authRoutes(app, { ctx: options.ctx, security })
  policyRoutes(app, { security })
  auditRoutes(app, { security })
  dataRoutes(app)
  dataRuleRoutes(app)
  dataTransferRoutes(app)
  transferRoutes(app)
  const workflowsRoot = options.workflowsRoot ?? path.join(os.tmpdir(), 'continuum-workflows')
  workflowRoutes(app, {
    workflowsRoot,
    workdirPolicy: {
      roots: options.workdirPolicy?.roots ?? [workflowsRoot],
      protectedPaths: options.workdirPolicy?.protectedPaths ?? [],
    },
  })
  siteRoutes(app, {
    sitesRoot: options.sitesRoot ?? path.join(os.tmpdir(), 'continuum-runs'),
    policy: security.engine,
  })
  metricsRoutes(app, { ctx: options.ctx })
  webRoutes(app)
  return app
}
