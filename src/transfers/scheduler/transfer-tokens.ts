/**
 * Tokens a transfer carries (WLCG common JWT profile): the narrowest storage scopes the copy
 * needs — read of the one source file, create of the one destination file — for a few minutes.
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

/** `storage.read:/<source path> storage.create:/<destination path>`. */
export function transferScopes(request: TokenRequest): string {
  return `storage.read:${scopePath(request.source.path)} storage.create:${scopePath(request.destination.path)}`
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
 * `storage.modify` of that one path, for five minutes.
 */
export async function mintRemovalToken(
  minter: TokenMinter,
  request: { transferId: string; endpoint: string; path: string },
): Promise<string> {
  return minter.mint({
    sub: `transfer:${request.transferId}`,
    scope: `storage.modify:${scopePath(request.path)}`,
    aud: [request.endpoint],
    expiresIn: 300,
  })
}
