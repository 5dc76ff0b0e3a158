/** api: the HTTP face of Continuum — Fastify server, routes per domain, OpenAPI 3.1. */
export { buildServer, type ServerOptions } from './server.js'
export {
  openBuiltInIssuer,
  preloadPolicies,
  startServer,
  stopOnSignals,
  type RunningServer,
  type StartOptions,
} from './start.js'
export { toContinuumError } from './error-handler.js'
export { Security, type SecurityOptions } from './security.js'
export { type RouteResource } from './gate.js'
