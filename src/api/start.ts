/**
 * Running the API as a process: open the database (migrating an embedded one, checking a
 * PostgreSQL one), listen, and shut down gracefully — stop accepting, let requests in flight
 * finish, then close the database.
 */
import type { FastifyInstance } from 'fastify'
import path from 'node:path'
import { BuiltInIssuer, groupCommunityMapper, parseIssuerPaths } from '../auth/index.js'
import { configureEndpointUrls } from '../data/index.js'
import { assertSchemaCurrent, connect, migrate, type Database } from '../db/index.js'
import {
  defaultShutdownGraceMs,
  forceExitAfter,
  systemClock,
  version,
  type Clock,
  type Config,
  type Logger,
} from '../platform/index.js'
import { buildServer } from './server.js'

export interface RunningServer {
  app: FastifyInstance
  database: Database
  /** Base URL the server answers on. */
  url: string
  stop(): Promise<void>
}

export interface StartOptions {
  logger: Logger
  clock?: Clock
  /** Apply pending migrations on PostgreSQL too (embedded databases always are). */
  migrate?: boolean
  /** Use this open database instead of opening config.db. */
  database?: Database
  /** Demo users who may approve device logins at the built-in issuer (name → groups). */
  demoUsers?: Record<string, string[]>
  /**
   * Start loading the stored policies once listening (default true); the first decision waits
   * for them. The demo passes false and calls `preloadPolicies` when its own start-up is done.
   */
  preloadPolicies?: boolean
}

/** Loads the gate's policies in the background; a failure is logged and retried on first use. */
export function preloadPolicies(server: RunningServer, logger: Logger): void {
  server.app.security.engine.preload((err) =>
    logger.error({ err }, 'could not load the stored policies'),
  )
}

/**
 * The installation's built-in issuer when the configuration turns it on: its key lives in
 * `<home>/keys`, so the server and `continuum worker` on that home sign with the same key.
 */
export async function openBuiltInIssuer(
  config: Config,
  clock: Clock,
  demoUsers?: Record<string, string[]>,
): Promise<BuiltInIssuer | undefined> {
  if (!config.builtinIssuer) return undefined
  return BuiltInIssuer.create({
    url: config.server,
    keyDir: path.join(config.home, 'keys'),
    clock,
    audience: config.audiences[0] ?? 'continuum',
    ...(demoUsers ? { demoUsers } : {}),
  })
}

export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const database = options.database ?? (await connect(config.db, { logger: options.logger }))
  try {
    if (database.backend === 'pglite' || options.migrate) {
      const result = await migrate(database)
      if (result.applied.length > 0) {
        options.logger.info(
          { applied: result.applied, version: result.current },
          'database migrated',
        )
      }
    } else {
      await assertSchemaCurrent(database)
    }
    const clock = options.clock ?? systemClock
    configureEndpointUrls({ storageRoots: config.storageRoots, networks: config.endpointNetworks })
    const changes = await database.openChangeFeed(options.logger)
    const builtInIssuer = await openBuiltInIssuer(config, clock, options.demoUsers)
    const issuerPaths = parseIssuerPaths(config.issuerPaths)
    const app = await buildServer({
      ctx: { db: database.db, clock, changes },
      database,
      logger: options.logger,
      version,
      bodyLimit: config.bodyLimit,
      workflowsRoot: path.join(config.home, 'workflows'),
      sitesRoot: path.join(config.home, 'runs'),
      workdirPolicy: {
        roots: [path.join(config.home, 'workflows'), ...config.workdirRoots],
        // The home minus its workflows folder: keys, database, storage, run folders.
        protectedPaths: [
          ...['keys', 'db', 'storage', 'runs', 'config.yaml'].map((p) => path.join(config.home, p)),
          ...(config.db.startsWith('pglite:') ? [config.db.slice('pglite:'.length)] : []),
        ],
      },
      security: {
        issuers: config.issuers.map((issuer) => {
          const basePath = issuerPaths.get(issuer.replace(/\/+$/, ''))
          return basePath === undefined ? { issuer } : { issuer, basePath }
        }),
        audiences: config.audiences,
        communityOfGroup: groupCommunityMapper(config.groupCommunities),
        ...(builtInIssuer ? { builtInIssuer } : {}),
      },
    })
    const address = await app.listen({ host: config.host, port: config.port })
    // The issuer is the configured public URL, or else the address we listen on.
    if (builtInIssuer && config.sources.server === 'default') {
      app.security.setIssuerUrl(address.replace('[::1]', 'localhost'))
    }
    const url = address.replace('[::1]', 'localhost')
    let stopping: Promise<void> | undefined
    const stop = () =>
      (stopping ??= (async () => {
        await app.close()
        await changes.close()
        if (!options.database) await database.close()
      })())
    const server = { app, database, url, stop }
    if (options.preloadPolicies !== false) preloadPolicies(server, options.logger)
    return server
  } catch (err) {
    if (!options.database) await database.close().catch(() => {})
    throw err
  }
}

/**
 * Stops the server on SIGINT/SIGTERM; a second signal exits at once, and a stop that does not
 * finish within `graceMs` (default 30 s) is forced.
 */
export function stopOnSignals(
  server: RunningServer,
  logger: Logger,
  graceMs = defaultShutdownGraceMs,
): void {
  let signalled = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130)
    signalled = true
    logger.info({ signal, graceMs }, 'shutting down: finishing requests in flight')
    forceExitAfter(graceMs, logger)
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
}
