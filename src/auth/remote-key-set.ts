/**
 * An issuer's JWKS fetched over HTTP and cached: reloaded when older than `maxAgeMs`, and once
 * for a token whose `kid` is unknown (a key rotated in at the IdP) — but at most once per
 * `cooldownMs`, so a stream of tokens with made-up kids cannot make us hammer the IdP.
 * Time comes from the injected clock, so tests need not sleep.
 */
import {
  createLocalJWKSet,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose'
import type { Clock } from '../platform/index.js'

export class RemoteKeySet {
  private local: JWTVerifyGetKey | undefined
  private fetchedAt = -Infinity
  private missRefreshAt = -Infinity
  private loading: Promise<void> | undefined

  constructor(
    private readonly url: URL,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
    private readonly options: { maxAgeMs?: number; cooldownMs?: number } = {},
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = this.clock.now().getTime()
    if (!this.local || now - this.fetchedAt > (this.options.maxAgeMs ?? 600_000)) {
      await this.reload()
    }
    try {
      return await (this.local as JWTVerifyGetKey)(header, token)
    } catch (err) {
      if (
        !(err instanceof joseErrors.JWKSNoMatchingKey) ||
        now - this.missRefreshAt < (this.options.cooldownMs ?? 30_000)
      ) {
        throw err
      }
      this.missRefreshAt = now
      await this.reload()
      return (this.local as JWTVerifyGetKey)(header, token)
    }
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const response = await this.fetchImpl(this.url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(5000),
        })
        if (!response.ok) throw new Error(`JWKS answered HTTP ${response.status}`)
        const text = await response.text()
        if (text.length > 256 * 1024) throw new Error('JWKS is too large')
        this.local = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet)
        this.fetchedAt = this.clock.now().getTime()
      } finally {
        this.loading = undefined
      }
    })()
    return this.loading
  }
}
