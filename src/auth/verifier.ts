/**
 * Verifies bearer access tokens from any number of trusted issuers. The unverified `iss` only
 * chooses which issuer's keys to try; every claim is trusted only after the signature checks
 * against that issuer's keys (found by OIDC discovery, cached, refreshed on an unknown `kid`
 * at most once per cooldown). Asymmetric algorithms only; `none` and HMAC never verify.
 */
import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
import { ContinuumError, type Clock } from '../platform/index.js'
import { principalOf, type Identity } from './identity.js'
import { RemoteKeySet } from './remote-key-set.js'
import {
  communityOfGroup as defaultCommunityOfGroup,
  hasCapabilityScopes,
  isSupportedWlcgVersion,
  parseCapabilityScopes,
  MalformedScopeError,
  type CapabilityScopes,
  parseGroups,
} from './wlcg.js'

export const allowedAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
]
export const wlcgAnyAudience = 'https://wlcg.cern.ch/jwt/v1/any'

export interface TrustedIssuer {
  /** Exact `iss` value. */
  issuer: string
  /** Keys known in-process (the built-in issuer); otherwise found by discovery. */
  keys?: JWTVerifyGetKey
  /** Also accept the WLCG "any" audience from this issuer. */
  acceptAnyAudience?: boolean
  /**
   * The part of the namespace this issuer speaks for (WLCG profile §2.2.3): its scope paths are
   * relative to it, so `storage.read:/` from an issuer based at `/atlas` grants `/atlas` only.
   */
  basePath?: string
}

export interface VerifierOptions {
  issuers: TrustedIssuer[]
  /** Audiences this deployment answers to; a token must name one of them. */
  audiences: string[]
  clock: Clock
  clockSkewSeconds?: number
  maxTokenBytes?: number
  /** Maps a group to a community; default: the group's first component. */
  communityOfGroup?: (group: string, issuer: string) => string | undefined
  /** Least time between two JWKS reloads caused by unknown key ids (default 30 s). */
  jwksCooldownMs?: number
  /** For discovery and JWKS requests (tests count them). */
  fetch?: typeof fetch
}

interface IssuerState {
  config: TrustedIssuer
  keys?: Promise<JWTVerifyGetKey>
  failedAt?: number
}

const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const discoveryRetryMs = 10_000
const cacheLimit = 10_000

/** The last 43 characters of a compact JWS: 256 bits of its signature, distinct per token. */
function cacheKeyOf(token: string): string {
  return token.length > 43 ? token.slice(-43) : token
}

export class TokenVerifier {
  private readonly issuers = new Map<string, IssuerState>()
  /**
   * Verified tokens by the tail of their signature (hashing a whole token of ~1 kB on every
   * request was the gate's largest single cost); the entry keeps the token to compare in full.
   */
  private readonly cache = new Map<string, { token: string; identity: Identity; until: number }>()
  private readonly skew: number
  private readonly maxBytes: number

  constructor(private readonly options: VerifierOptions) {
    for (const issuer of options.issuers) this.trust(issuer)
    this.skew = options.clockSkewSeconds ?? 60
    this.maxBytes = options.maxTokenBytes ?? 8192
  }

  trust(issuer: TrustedIssuer): void {
    this.issuers.set(issuer.issuer, { config: issuer })
  }

  trustedIssuers(): string[] {
    return [...this.issuers.keys()]
  }

  /**
   * The identity of a token verified before and not yet expired, without waiting; undefined
   * when it must be verified (again) with `verify`. The gate's path for a client's next request.
   */
  verifiedBefore(token: string): Identity | undefined {
    const key = cacheKeyOf(token)
    const cached = this.cache.get(key)
    if (cached === undefined || cached.token !== token) return undefined
    if (cached.until > this.options.clock.now().getTime()) return cached.identity
    this.cache.delete(key)
    return undefined
  }

  /** Verifies a token and returns its identity, or throws UNAUTHENTICATED with the reason. */
  async verify(token: string): Promise<Identity> {
    const cached = this.verifiedBefore(token)
    if (cached) return cached
    const identity = await this.verifyUncached(token)
    if (this.cache.size >= cacheLimit) this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(cacheKeyOf(token), {
      token,
      identity,
      until: identity.expiresAt.getTime() + this.skew * 1000,
    })
    return identity
  }

  private async verifyUncached(token: string): Promise<Identity> {
    if (token.length > this.maxBytes) throw refuse('token is larger than accepted', 'oversized')
    if (!tokenShape.test(token)) throw refuse('token is not a compact JWS', 'malformed')
    let alg: unknown
    let unverifiedIssuer: unknown
    try {
      alg = decodeProtectedHeader(token).alg
      unverifiedIssuer = decodeJwt(token).iss
    } catch {
      throw refuse('token cannot be decoded', 'malformed')
    }
    if (typeof alg !== 'string' || !allowedAlgorithms.includes(alg)) {
      throw refuse(`signature algorithm ${String(alg)} is not accepted`, 'algorithm')
    }
    const state =
      typeof unverifiedIssuer === 'string' ? this.issuers.get(unverifiedIssuer) : undefined
    if (!state) throw refuse('token issuer is not trusted', 'issuer')

    const audiences = state.config.acceptAnyAudience
      ? [...this.options.audiences, wlcgAnyAudience]
      : this.options.audiences
    const now = this.options.clock.now()
    let payload: JWTPayload
    try {
      const keys = await this.keysOf(state)
      ;({ payload } = await jwtVerify(token, keys, {
        algorithms: allowedAlgorithms,
        issuer: state.config.issuer,
        audience: audiences,
        currentDate: now,
        clockTolerance: this.skew,
        requiredClaims: ['sub', 'exp', 'iat'],
      }))
    } catch (err) {
      throw refuse(describe(err), reasonOf(err))
    }
    if (typeof payload.iat === 'number' && payload.iat > now.getTime() / 1000 + this.skew) {
      throw refuse('token issued in the future', 'iat')
    }
    if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) {
      throw refuse('token subject is missing or invalid', 'sub')
    }
    if (!isSupportedWlcgVersion(payload['wlcg.ver'])) {
      throw refuse('unsupported wlcg.ver', 'wlcg.ver')
    }
    return this.identityOf(
      payload as JWTPayload & { sub: string; iss: string; exp: number },
      state.config.basePath ?? '/',
    )
  }

  private identityOf(
    payload: JWTPayload & { sub: string; iss: string; exp: number },
    basePath: string,
  ): Identity {
    const groups = parseGroups(payload['wlcg.groups'])
    const map = this.options.communityOfGroup ?? ((g: string) => defaultCommunityOfGroup(g))
    const communities = [
      ...new Set(
        groups.map((g) => map(g, payload.iss)).filter((c): c is string => c !== undefined),
      ),
    ]
    let scopes: CapabilityScopes
    try {
      scopes = parseCapabilityScopes(payload.scope, basePath)
    } catch (err) {
      if (err instanceof MalformedScopeError) throw refuse(err.message, 'scope')
      throw err
    }
    return {
      issuer: payload.iss,
      subject: payload.sub,
      principal: principalOf(payload.iss, payload.sub),
      groups,
      communities,
      scopes,
      capabilityToken: hasCapabilityScopes(scopes),
      revokedCommunities: [],
      clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
      tokenId: typeof payload.jti === 'string' ? payload.jti : undefined,
      expiresAt: new Date(payload.exp * 1000),
    }
  }

  private keysOf(state: IssuerState): Promise<JWTVerifyGetKey> {
    if (state.config.keys) return Promise.resolve(state.config.keys)
    if (
      state.keys &&
      state.failedAt !== undefined &&
      Date.now() - state.failedAt > discoveryRetryMs
    ) {
      delete state.keys
    }
    state.keys ??= this.discover(state.config.issuer).catch((err: unknown) => {
      state.failedAt = Date.now()
      throw err
    })
    return state.keys
  }

  private async discover(issuer: string): Promise<JWTVerifyGetKey> {
    const fetchImpl = this.options.fetch ?? fetch
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
    let metadata: { issuer?: unknown; jwks_uri?: unknown }
    try {
      const response = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(5000),
      })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      metadata = (await response.json()) as typeof metadata
    } catch (cause) {
      throw new ContinuumError(
        'UNAUTHENTICATED',
        `cannot discover issuer ${issuer}: ${(cause as Error).message}`,
        { reason: 'discovery' },
      )
    }
    if (metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') {
      throw new ContinuumError(
        'UNAUTHENTICATED',
        `issuer ${issuer} publishes inconsistent discovery metadata`,
        { reason: 'discovery' },
      )
    }
    const jwksUrl = new URL(metadata.jwks_uri)
    if (jwksUrl.protocol !== 'https:' && !isLoopback(jwksUrl.hostname)) {
      throw new ContinuumError(
        'UNAUTHENTICATED',
        `issuer ${issuer} publishes a non-https JWKS URL`,
        { reason: 'discovery' },
      )
    }
    return new RemoteKeySet(jwksUrl, this.options.clock, fetchImpl, {
      cooldownMs: this.options.jwksCooldownMs ?? 30_000,
    }).getKey
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
}

function refuse(message: string, reason: string): ContinuumError {
  return new ContinuumError('UNAUTHENTICATED', message, { reason })
}

function reasonOf(err: unknown): string {
  if (err instanceof ContinuumError) {
    return typeof err.details.reason === 'string' ? err.details.reason : 'invalid'
  }
  if (err instanceof joseErrors.JWTExpired) return 'expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed) return err.claim
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature'
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'kid'
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm'
  return 'invalid'
}

function describe(err: unknown): string {
  if (err instanceof ContinuumError) return err.message
  if (err instanceof joseErrors.JWTExpired) return 'token has expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return `token claim ${err.claim} is not acceptable`
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'token signature does not verify'
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token key id is unknown to its issuer'
  return 'token is invalid'
}
