/**
 * The built-in token issuer for the embedded mode, demos and tests: OIDC discovery, a JWKS,
 * WLCG-profile access tokens, the client-credentials grant for services and the device
 * authorisation grant (device-flow.ts) for `continuum login`. Off in production unless
 * configured; real deployments trust their community's IdP (EGI Check-in, INDIGO IAM).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import { SignJWT, type JWK } from 'jose'
import type { Clock } from '../platform/index.js'
import { IssuerKeys, signingAlgorithm } from './issuer-keys.js'
import type { TrustedIssuer } from './verifier.js'

export interface ServiceClient {
  id: string
  secret: string
  /** Groups and scopes of the tokens this client receives. */
  groups: string[]
  scope?: string
}

export interface BuiltInIssuerOptions {
  /** `iss` of the tokens; the server's public base URL. */
  url: string
  /** Folder of the signing key file (mode 0600); in memory when undefined. */
  keyDir?: string | undefined
  clock: Clock
  audience: string
  tokenLifetimeSeconds?: number
  rotateAfterDays?: number
  clients?: ServiceClient[]
  /**
   * Demo only: people who may approve a device login on the verification page by name, with
   * their groups. The built-in issuer does not authenticate humans otherwise.
   */
  demoUsers?: Record<string, string[]>
}

/** Who asks for a token, as a scope policy sees them. */
export interface ScopeRequester {
  subject: string
  groups: string[]
  clientId: string | undefined
}

/**
 * Which of the requested scopes a requester may have (INDIGO IAM calls these scope policies):
 * returns the granted subset. The server decides with its Cedar policies (api/scope-grants.ts).
 */
export type ScopePolicy = (who: ScopeRequester, requested: string[]) => Promise<string[]>

/** Without a scope policy only scopes that grant nothing by themselves are given. */
const grantNoCapabilities: ScopePolicy = async (_who, requested) =>
  requested.filter((s) => !/^(storage|compute)\./.test(s))

export interface MintClaims {
  sub: string
  groups?: string[]
  scope?: string
  aud?: string | string[]
  /** Seconds from now; negative gives an expired token (tests). */
  expiresIn?: number
  notBefore?: Date
  issuedAt?: Date
  clientId?: string
  wlcgVer?: string
  /** Extra claims (tests of the attack matrix). */
  extra?: Record<string, unknown>
}

export class BuiltInIssuer {
  url: string
  readonly audience: string
  readonly tokenLifetimeSeconds: number
  readonly demoUsers: Readonly<Record<string, string[]>>
  /** Set by the server that runs this issuer: what each requester may be granted. */
  scopePolicy: ScopePolicy = grantNoCapabilities

  private constructor(
    private readonly options: BuiltInIssuerOptions,
    readonly keys: IssuerKeys,
  ) {
    this.url = options.url.replace(/\/+$/, '')
    this.audience = options.audience
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600
    this.demoUsers = options.demoUsers ?? {}
  }

  static async create(options: BuiltInIssuerOptions): Promise<BuiltInIssuer> {
    const keys = await IssuerKeys.open(options.keyDir, {
      now: options.clock.now(),
      ...(options.rotateAfterDays === undefined
        ? {}
        : { rotateAfterDays: options.rotateAfterDays }),
    })
    return new BuiltInIssuer(options, keys)
  }

  get clock(): Clock {
    return this.options.clock
  }

  trusted(): TrustedIssuer {
    return { issuer: this.url, keys: this.keys.verificationKeys() }
  }

  /** Signs a WLCG-profile access token. */
  async mint(claims: MintClaims): Promise<string> {
    const now = claims.issuedAt ?? this.options.clock.now()
    const iat = Math.floor(now.getTime() / 1000)
    const payload: Record<string, unknown> = {
      ...claims.extra,
      'wlcg.ver': claims.wlcgVer ?? '1.0',
      scope: claims.scope ?? '',
      ...(claims.groups ? { 'wlcg.groups': claims.groups } : {}),
      ...(claims.clientId ? { client_id: claims.clientId } : {}),
    }
    const key = this.keys.current
    let jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: signingAlgorithm, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.url)
      .setSubject(claims.sub)
      .setAudience(claims.aud ?? this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (claims.expiresIn ?? this.tokenLifetimeSeconds))
      .setJti(randomUUID())
    if (claims.notBefore) jwt = jwt.setNotBefore(Math.floor(claims.notBefore.getTime() / 1000))
    return jwt.sign(key.privateKey)
  }

  /**
   * The scopes a requester is granted: the requested ones (space-separated, deduplicated) that
   * the scope policy allows, in the order asked. What is not granted is simply left out, as
   * RFC 6749 §3.3 allows; the token response's `scope` says exactly what was granted.
   */
  async grantedScope(who: ScopeRequester, requested: string): Promise<string> {
    const asked = [...new Set(requested.split(' ').filter((s) => s !== ''))]
    return (await this.scopePolicy(who, asked)).join(' ')
  }

  /**
   * The client-credentials grant: a token for a configured service client, or undefined. The
   * client's configured `scope` is its scope policy: it gets what it asks of that (everything
   * configured when it asks nothing), never more.
   */
  async clientCredentials(
    clientId: string,
    secret: string,
    requested?: string,
  ): Promise<{ token: string; scope: string } | undefined> {
    const client = (this.options.clients ?? []).find((c) => c.id === clientId)
    if (!client || !sameSecret(client.secret, secret)) return undefined
    const allowed = (client.scope ?? '').split(' ').filter((s) => s !== '')
    const scope =
      requested === undefined || requested.trim() === ''
        ? allowed.join(' ')
        : [...new Set(requested.split(' '))].filter((s) => allowed.includes(s)).join(' ')
    const token = await this.mint({
      sub: `client:${client.id}`,
      groups: client.groups,
      clientId: client.id,
      scope,
    })
    return { token, scope }
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}/auth/jwks`,
      token_endpoint: `${this.url}/auth/token`,
      device_authorization_endpoint: `${this.url}/auth/device_authorization`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'client_credentials'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [signingAlgorithm],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
      scopes_supported: [
        'openid',
        'offline_access',
        'wlcg',
        'wlcg.groups',
        'storage.read:/',
        'storage.create:/',
        'storage.modify:/',
        'storage.stage:/',
        'compute.read',
        'compute.create',
        'compute.modify',
        'compute.cancel',
      ],
    }
  }

  jwks(): { keys: JWK[] } {
    return this.keys.jwks()
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}
