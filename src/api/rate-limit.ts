/**
 * Per-client-address token buckets for the public endpoints that create state or check secrets
 * (device authorisation requests, the token endpoint, device approval): without a token there
 * is no identity to hold to account, so the address is the key. Buckets live in this process;
 * behind several API processes each gets its own share, which bounds abuse all the same.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ContinuumError, type Clock } from '../platform/index.js'

export interface RateLimit {
  /** Requests allowed per minute, sustained. */
  perMinute: number
  /** Requests allowed at once after a quiet period (default: perMinute). */
  burst?: number
}

interface Bucket {
  tokens: number
  at: number
}

/** Most addresses tracked before the idlest are forgotten (a full bucket forgets nothing). */
const maxTracked = 10_000

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly burst: number
  private readonly perMs: number

  constructor(
    private readonly clock: Clock,
    limit: RateLimit,
  ) {
    this.burst = limit.burst ?? limit.perMinute
    this.perMs = limit.perMinute / 60_000
  }

  /** Takes one request's token; returns 0 when allowed, else the seconds until one is free. */
  take(key: string): number {
    const now = this.clock.now().getTime()
    const b = this.buckets.get(key)
    const tokens = b ? Math.min(this.burst, b.tokens + (now - b.at) * this.perMs) : this.burst
    if (tokens >= 1) {
      // Re-inserting keeps the Map in least-recently-used order for the eviction below.
      this.buckets.delete(key)
      this.buckets.set(key, { tokens: tokens - 1, at: now })
      if (this.buckets.size > maxTracked) this.buckets.delete(this.buckets.keys().next().value!)
      return 0
    }
    this.buckets.set(key, { tokens, at: now })
    return Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000))
  }

  /** A Fastify preHandler that answers 429 RATE_LIMITED with Retry-After when over the limit. */
  hook(name: string) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const wait = this.take(request.ip)
      if (wait === 0) return
      void reply.header('retry-after', String(wait))
      throw new ContinuumError(
        'RATE_LIMITED',
        `too many ${name} requests from ${request.ip}; retry in ${wait} s`,
        { retryAfterSeconds: wait },
      )
    }
  }
}
