/**
 * A real API server on a random loopback port over a test database, and a client for it.
 * By default the gate runs with an in-memory built-in issuer and `client` carries a token of an
 * admin identity (group /continuum/admins), so other domains' tests have full access;
 * `mintToken` / `clientAs` give tokens and clients of any other identity.
 */
import type { FastifyInstance } from 'fastify'
import os from 'node:os'
import { buildServer, type SecurityOptions } from '../../src/api/index.js'
import { BuiltInIssuer, type MintClaims } from '../../src/auth/index.js'
import { ContinuumClient } from '../../src/client/index.js'
import type { TestDatabase } from '../../src/db/testing.js'
import {
  silentLogger,
  systemClock,
  version,
  type Clock,
  type Logger,
} from '../../src/platform/index.js'

export const adminGroup = '/continuum/admins'

export interface TestServer {
  app: FastifyInstance
  url: string
  /** A client with an admin token. */
  client: ContinuumClient
  /** The built-in issuer (undefined with `gate: false`). */
  issuer: BuiltInIssuer | undefined
  /** Signs a token for any identity (defaults: subject `test-user`, no groups). */
  mintToken(claims?: Partial<MintClaims>): Promise<string>
  /** A client carrying a token for this identity; `null` for no token at all. */
  clientAs(claims: Partial<MintClaims> | null): Promise<ContinuumClient>
  close(): Promise<void>
}

export interface TestServerOptions {
  clock?: Clock
  logger?: Logger
  bodyLimit?: number
  /** false: no gate at all (benchmarks' baseline). */
  gate?: boolean
  /** Extra security settings (external issuers, clients, demo users …). */
  security?: Omit<SecurityOptions, 'builtInIssuer' | 'gate'>
  issuer?: { demoUsers?: Record<string, string[]> }
  /** Registers extra routes before the server listens (tests of the gate's resource hook). */
  routes?: (app: FastifyInstance) => void
  /** Where the server makes workflow folders (default: the shared `<tmpdir>/continuum-workflows`). */
  workflowsRoot?: string
}

export async function startTestServer(
  database: TestDatabase,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const clock = options.clock ?? systemClock
  const changes = await database.openChangeFeed(silentLogger)
  const gate = options.gate ?? true
  const issuer = gate
    ? await BuiltInIssuer.create({
        url: 'http://127.0.0.1',
        clock,
        audience: 'continuum',
        demoUsers: options.issuer?.demoUsers ?? { admin: [adminGroup], alice: ['/atlas'] },
        clients: [
          { id: 'test-service', secret: 'test-service-secret', groups: ['/continuum/services'] },
        ],
      })
    : undefined
  const app = await buildServer({
    ctx: { db: database.db, clock, changes },
    database,
    logger: options.logger ?? silentLogger,
    version,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.workflowsRoot === undefined ? {} : { workflowsRoot: options.workflowsRoot }),
    // Tests keep workflows in temporary folders (the policy is tested in workflows-api).
    workdirPolicy: { roots: [os.tmpdir()] },
    security: {
      ...options.security,
      gate,
      ...(issuer ? { builtInIssuer: issuer } : {}),
      refreshMs: 0,
      auditFlushMs: options.security?.auditFlushMs ?? 20,
      // Tests follow single refusals by request id and walk every route without a token: unless a
      // test asks for the production window and limit, each refusal is its own row and unlimited.
      auditAnonymousWindowMs: options.security?.auditAnonymousWindowMs ?? 0,
      rateLimits: {
        unauthenticated: { perMinute: 1_000_000 },
        ...options.security?.rateLimits,
      },
    },
  })
  options.routes?.(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  app.security.setIssuerUrl(url)
  const mintToken = async (claims: Partial<MintClaims> = {}) => {
    if (!issuer) throw new Error('no issuer: the gate is off')
    return issuer.mint({ sub: 'test-user', ...claims })
  }
  const clientAs = async (claims: Partial<MintClaims> | null) =>
    new ContinuumClient({
      server: url,
      token: claims === null ? undefined : await mintToken(claims),
    })
  const client = gate
    ? await clientAs({ sub: 'test-admin', groups: [adminGroup], expiresIn: 10 * 365 * 86_400 })
    : new ContinuumClient({ server: url })
  const close = async () => {
    await app.close()
    await changes.close()
  }
  return { app, url, client, issuer, mintToken, clientAs, close }
}
