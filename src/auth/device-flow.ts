/**
 * The device authorisation grant (RFC 8628) of the built-in issuer: `continuum login` asks for a
 * code, the person approves it on the verification page, the CLI polls the token endpoint and
 * gets a token exactly once. Device codes are stored hashed; a replayed code gets `invalid_grant`.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import type { BuiltInIssuer } from './built-in-issuer.js'
import {
  approveDeviceCode,
  consumeDeviceCode,
  findDeviceCode,
  findDeviceCodeByUserCode,
  insertDeviceCode,
} from './device-codes-store.js'

export const deviceGrantType = 'urn:ietf:params:oauth:grant-type:device_code'
const deviceLifetimeSeconds = 600
const pollIntervalSeconds = 2
// No vowels or look-alikes, as RFC 8628 §6.1 suggests: no words, nothing to misread.
const userCodeAlphabet = 'BCDFGHJKLMNPQRSTVWXZ'

/** An OAuth error answer (RFC 6749 §5.2), rendered as `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description)
  }
}

export interface DeviceAuthorization {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export interface TokenAnswer {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope: string
}

export async function startDeviceAuthorization(
  ctx: Context,
  issuer: BuiltInIssuer,
  input: { clientId: string; scope: string },
): Promise<DeviceAuthorization> {
  const deviceCode = randomBytes(32).toString('base64url')
  const userCode = [0, 1]
    .map(() =>
      Array.from({ length: 4 }, () => userCodeAlphabet[randomInt(userCodeAlphabet.length)]).join(
        '',
      ),
    )
    .join('-')
  const now = ctx.clock.now()
  await insertDeviceCode(ctx.db, {
    device_code_hash: hashCode(deviceCode),
    user_code: userCode,
    client_id: input.clientId,
    scope: input.scope,
    status: 'pending',
    subject: null,
    groups: null,
    expires_at: new Date(now.getTime() + deviceLifetimeSeconds * 1000),
    created_at: now,
  })
  const verification = `${issuer.url}/auth/device`
  return {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?user_code=${userCode}`,
    expires_in: deviceLifetimeSeconds,
    interval: pollIntervalSeconds,
  }
}

/** Approval on the verification page, as one of the issuer's demo users. */
export async function approveDevice(
  ctx: Context,
  issuer: BuiltInIssuer,
  input: { userCode: string; user: string },
): Promise<{ subject: string }> {
  const groups = Object.hasOwn(issuer.demoUsers, input.user)
    ? issuer.demoUsers[input.user]
    : undefined
  if (!groups) {
    throw new ContinuumError(
      'UNAUTHENTICATED',
      `'${input.user}' is not a user of the built-in issuer`,
      { reason: 'user' },
    )
  }
  const userCode = input.userCode.trim().toUpperCase()
  const approved = await approveDeviceCode(ctx.db, userCode, input.user, groups, ctx.clock.now())
  if (!approved) {
    throw new ContinuumError(
      'DEVICE_CODE_INVALID',
      'this code is unknown, expired or already used',
      { userCode },
    )
  }
  return { subject: input.user }
}

export async function findPendingDevice(ctx: Context, userCode: string): Promise<boolean> {
  const row = await findDeviceCodeByUserCode(ctx.db, userCode.trim().toUpperCase())
  return row !== undefined && row.status === 'pending' && new Date(row.expires_at) > ctx.clock.now()
}

/** The token endpoint's device-code branch: pending, denied, expired, replayed, or a token. */
export async function exchangeDeviceCode(
  ctx: Context,
  issuer: BuiltInIssuer,
  deviceCode: string,
  pacer?: PollPacer,
): Promise<TokenAnswer> {
  const hash = hashCode(deviceCode)
  const now = ctx.clock.now()
  const consumed = await consumeDeviceCode(ctx.db, hash)
  if (consumed) {
    pacer?.forget(hash)
    if (new Date(consumed.expires_at) <= now) {
      throw new OAuthError('expired_token', 'the device code has expired')
    }
    const who = {
      subject: consumed.subject ?? 'unknown',
      groups: consumed.groups ?? [],
      clientId: consumed.client_id,
    }
    // The token carries what policy grants this person, not what the client asked for.
    const scope = await issuer.grantedScope(who, consumed.scope)
    const token = await issuer.mint({
      sub: who.subject,
      groups: who.groups,
      clientId: who.clientId,
      scope,
    })
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: issuer.tokenLifetimeSeconds,
      scope,
    }
  }
  const row = await findDeviceCode(ctx.db, hash)
  if (!row) throw new OAuthError('invalid_grant', 'unknown device code')
  if (new Date(row.expires_at) <= now) {
    throw new OAuthError('expired_token', 'the device code has expired')
  }
  if (row.status === 'pending') {
    if (pacer?.tooSoon(hash, now, new Date(row.expires_at))) {
      throw new OAuthError('slow_down', 'polling faster than the interval; wait 5 s longer')
    }
    throw new OAuthError('authorization_pending', 'the user has not approved yet')
  }
  if (row.status === 'denied') throw new OAuthError('access_denied', 'the user denied the request')
  throw new OAuthError('invalid_grant', 'the device code was already used')
}

/**
 * RFC 8628 §3.5: a client polling a pending code faster than the interval gets `slow_down`, and
 * its interval grows by 5 s for this and every later poll. Kept per process (a client polling
 * through several API processes is paced by each); entries leave with their code's lifetime.
 */
export class PollPacer {
  private readonly polls = new Map<string, { at: number; interval: number; until: number }>()

  /** Records a poll of a pending code; true when it came sooner than the code's interval. */
  tooSoon(hash: string, now: Date, expiresAt: Date): boolean {
    const t = now.getTime()
    const last = this.polls.get(hash)
    if (!last) {
      if (this.polls.size >= 10_000) this.prune(t)
      this.polls.set(hash, { at: t, interval: pollIntervalSeconds, until: expiresAt.getTime() })
      return false
    }
    // A little slack: clients sleep `interval` seconds between polls, plus request time.
    if (t - last.at < last.interval * 1000 - 250) {
      last.interval += 5
      last.at = t
      return true
    }
    last.at = t
    return false
  }

  forget(hash: string): void {
    this.polls.delete(hash)
  }

  private prune(now: number): void {
    for (const [hash, p] of this.polls) if (p.until <= now) this.polls.delete(hash)
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex')
}
