/**
 * Tokens a transfer carries (WLCG common JWT profile): the narrowest storage scopes the copy
 * needs, for a few minutes — read of the one source file; read and modify of the one
 * destination file. `storage.create` alone is not enough at the destination, as a real
 * token-enforcing server shows (XrdHttp with the SciTokens plug-in, in the tests): it refuses the
 * `HEAD` that verifies the copy, the `DELETE` that removes a bad one, and overwriting what a
 * killed worker left; its `DELETE` also wants read. That is what Rucio asks for FTS too.
 * Paths in storage scopes are relative to the endpoint's base (the replica's path).
 */
import type { MintClaims } from '../../auth/index.js'

/** What mints tokens: the built-in issuer (BuiltInIssuer) or anything with the same method. */
export interface TokenMinter {
  mint(claims: MintClaims): Promise<string>
}

export interface TokenRequest {
  transferId: string
  source: { endpoint: string; path: string }
  destination: { endpoint: string; path: string }
  /** Expected duration; the token lives this long plus a margin, at least 5 minutes. */
  expectedSeconds?: number
}

function scopePath(path: string): string {
  return `/${path.replace(/^\/+/, '')}`
}

/** `storage.read:/<source> storage.read:/<destination> storage.modify:/<destination>`, once each. */
export function transferScopes(request: TokenRequest): string {
  const source = scopePath(request.source.path)
  const dest = scopePath(request.destination.path)
  return [
    ...new Set([`storage.read:${source}`, `storage.read:${dest}`, `storage.modify:${dest}`]),
  ].join(' ')
}

export async function mintTransferToken(
  minter: TokenMinter,
  request: TokenRequest,
): Promise<string> {
  return minter.mint({
    sub: `transfer:${request.transferId}`,
    scope: transferScopes(request),
    aud: [request.source.endpoint, request.destination.endpoint],
    expiresIn: Math.max(300, Math.ceil((request.expectedSeconds ?? 0) * 2) + 60),
  })
}

/**
 * The token that removes a multi-hop transfer's temporary copy from an intermediate endpoint:
 * `storage.modify` of that one path (with `storage.read`, which XrdHttp's `DELETE` wants), for
 * five minutes.
 */
export async function mintRemovalToken(
  minter: TokenMinter,
  request: { transferId: string; endpoint: string; path: string },
): Promise<string> {
  return minter.mint({
    sub: `transfer:${request.transferId}`,
    scope: `storage.read:${scopePath(request.path)} storage.modify:${scopePath(request.path)}`,
    aud: [request.endpoint],
    expiresIn: 300,
  })
}
