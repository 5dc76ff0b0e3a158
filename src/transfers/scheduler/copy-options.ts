/**
 * The one place the scheduler calls the copy layer. copyVerified gains an options argument
 * (token, abort signal, third-party copy); until then the token is minted and passed here and
 * the copy streams through writeVerified, so the scheduler compiles against either version.
 */
import { writeVerified, type Expected } from '../copy.js'
import type { Digest } from '../checksums.js'
import type { ProtocolRegistry } from '../protocols/index.js'
import { classifyFailure, TransferFailure } from './failure-classes.js'

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
  return writeVerified(registry, sourceBytes(registry, sourceUrl), destUrl, expected)
}

/**
 * The source's bytes, opened only when the destination starts reading (a stream opened early
 * can fail before anyone listens), with read errors marked as the source's: a missing file at
 * the source is `source_missing`, whatever the destination's protocol wraps it in.
 */
async function* sourceBytes(registry: ProtocolRegistry, url: string): AsyncGenerator<Uint8Array> {
  try {
    yield* registry.for(url).read(url)
  } catch (err) {
    const c = classifyFailure(err)
    throw new TransferFailure(c.failureClass, `reading ${url}: ${c.message}`)
  }
}
