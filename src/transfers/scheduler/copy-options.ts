/**
 * The one place the scheduler calls the copy layer: copyVerified with the transfer's token (for
 * both ends; it carries both scopes) and an abort signal. Third-party copy is used where both
 * ends support it, streaming through the worker otherwise.
 */
import { copyVerified, type CopyResult, type Expected } from '../copy.js'
import type { ProtocolRegistry } from '../protocols/index.js'

export interface CopyOptions {
  /** Bearer token with the transfer's storage scopes. */
  token?: string | undefined
  signal?: AbortSignal | undefined
  /** Third-party copy: 'only' when an end refuses streamed copies (default 'prefer'). */
  tpc?: 'prefer' | 'only' | undefined
}

export async function copyWithOptions(
  registry: ProtocolRegistry,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
  options: CopyOptions,
): Promise<CopyResult> {
  return copyVerified(registry, sourceUrl, destUrl, expected, {
    token: options.token,
    signal: options.signal,
    tpc: options.tpc,
  })
}
