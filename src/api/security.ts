/**
 * The security parts one server runs with: token verifier, optional built-in issuer, policy
 * engine, audit log and revocation list. Built once per server from `SecurityOptions`.
 */
import {
  communityOfGroup,
  type BuiltInIssuer,
  RevocationList,
  TokenVerifier,
  type TrustedIssuer,
} from '../auth/index.js'
import type { Context } from '../db/index.js'
import type { Logger } from '../platform/index.js'
import { AuditLog, PolicyEngine } from '../policy/index.js'
import { RateLimiter, type RateLimit } from './rate-limit.js'
import { cedarScopePolicy, scopeGrantAction } from './scope-grants.js'

export interface SecurityOptions {
  /** Run the gate (default true). Only benchmarks' ungated baseline turns it off. */
  gate?: boolean
  /** External issuers trusted (EGI Check-in, INDIGO IAM, a site's IdP). */
  issuers?: TrustedIssuer[]
  /** Audiences this deployment answers to (default `['continuum']`). */
  audiences?: string[]
  /** The built-in issuer, served under /auth and trusted; absent in production by default. */
  builtInIssuer?: BuiltInIssuer
  clockSkewSeconds?: number
  communityOfGroup?: (group: string, issuer: string) => string | undefined
  /** How long policy and revocation caches may be stale across processes (default 5 s). */
  refreshMs?: number
  auditFlushMs?: number
  /** Window over which unauthenticated requests are counted into one row (default 10 s). */
  auditAnonymousWindowMs?: number
  fetch?: typeof fetch
  /** Per-address limits of the built-in issuer's public endpoints (defaults below). */
  rateLimits?: Partial<PublicRateLimits>
}

/** Limits per client address on the public endpoints that create state or check secrets. */
export interface PublicRateLimits {
  deviceAuthorization: RateLimit
  token: RateLimit
  deviceApproval: RateLimit
  /** Requests that fail authentication (no, bad or expired token), on any gated route. */
  unauthenticated: RateLimit
}

// A person logs in a few times a day and a polling CLI asks every few seconds; these leave
// ample room for both, and for a dozen people behind one NAT, while stopping guessing at speed.
const defaultRateLimits: PublicRateLimits = {
  deviceAuthorization: { perMinute: 20, burst: 10 },
  token: { perMinute: 120, burst: 30 },
  deviceApproval: { perMinute: 20, burst: 10 },
  // A CLI that has not logged in fails a few times; a flood or a token guesser fails thousands.
  unauthenticated: { perMinute: 300, burst: 60 },
}

export class Security {
  readonly gate: boolean
  readonly verifier: TokenVerifier
  readonly engine: PolicyEngine
  readonly audit: AuditLog
  readonly revocations: RevocationList
  readonly issuer: BuiltInIssuer | undefined
  /** Every action a route declared: the Cedar schema's actions. */
  readonly actions = new Set<string>()
  /** `METHOD /url` of the routes that skip the gate (health, discovery, the OAuth endpoints). */
  readonly publicRoutes = new Set<string>()
  readonly rateLimiters: Record<keyof PublicRateLimits, RateLimiter>

  constructor(ctx: Context, logger: Logger, options: SecurityOptions = {}) {
    this.gate = options.gate ?? true
    this.issuer = options.builtInIssuer
    this.verifier = new TokenVerifier({
      issuers: [...(options.issuers ?? []), ...(this.issuer ? [this.issuer.trusted()] : [])],
      audiences: options.audiences ?? [this.issuer?.audience ?? 'continuum'],
      clock: ctx.clock,
      ...(options.clockSkewSeconds === undefined
        ? {}
        : { clockSkewSeconds: options.clockSkewSeconds }),
      ...(options.communityOfGroup ? { communityOfGroup: options.communityOfGroup } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    this.engine = new PolicyEngine(ctx, () => this.actions, {
      refreshMs: options.refreshMs ?? 5000,
    })
    this.audit = new AuditLog(ctx, logger, {
      flushMs: options.auditFlushMs ?? 200,
      ...(options.auditAnonymousWindowMs === undefined
        ? {}
        : { anonymousWindowMs: options.auditAnonymousWindowMs }),
    })
    this.revocations = new RevocationList(ctx, options.refreshMs ?? 5000)
    // Decisions no route makes by itself: what the issuer may grant, which accounts a rule
    // may be charged to.
    this.actions.add(scopeGrantAction)
    this.actions.add('data.account.use')
    if (this.issuer) {
      const issuer = this.issuer
      const mapGroup = options.communityOfGroup ?? ((g: string) => communityOfGroup(g))
      issuer.scopePolicy = cedarScopePolicy(
        ctx,
        this,
        () => issuer.url,
        (group) => mapGroup(group, issuer.url),
      )
    }
    const limits = { ...defaultRateLimits, ...options.rateLimits }
    this.rateLimiters = {
      deviceAuthorization: new RateLimiter(ctx.clock, limits.deviceAuthorization),
      token: new RateLimiter(ctx.clock, limits.token),
      deviceApproval: new RateLimiter(ctx.clock, limits.deviceApproval),
      unauthenticated: new RateLimiter(ctx.clock, limits.unauthenticated),
    }
  }

  /** The built-in issuer's public URL is known only once the server listens. */
  setIssuerUrl(url: string): void {
    if (!this.issuer) return
    this.issuer.url = url.replace(/\/+$/, '')
    this.verifier.trust(this.issuer.trusted())
  }
}
