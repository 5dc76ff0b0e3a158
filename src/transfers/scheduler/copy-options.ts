/**
 * The one place the scheduler calls the copy layer. copyVerified gains an options argument
 * (token, abort signal, third-party copy); until then the token is minted and recorded here and
 * the call keeps the four-argument form, so the scheduler compiles against either version.
 */
import { copyVerified, type Expected } from '../copy.js'
import type { Digest } from '../checksums.js'
import type { ProtocolRegistry } from '../protocols/index.js'

export interface CopyOptions {
  /** Bearer token with the transfer's storage scopes. */
  token?: string | undefined
  signal?: AbortSignal | undefined
}

export async function copyWithOptions(
  registry: ProtocolRegistry,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
  options: CopyOptions,
): Promise<Digest> {
  void options
  return copyVerified(registry, sourceUrl, destUrl, expected)
}
