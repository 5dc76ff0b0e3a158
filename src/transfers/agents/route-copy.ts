/**
 * Runs one transfer along its route: hop by hop, each hop a verified copy with its own narrow
 * token. A multi-hop route leaves a temporary copy on each intermediate; it is removed once the
 * route ends, done or failed. The temporary path is fixed per transfer, so when a worker is
 * killed halfway the retry (same route) overwrites and then removes what it left.
 */
import type { Logger } from '../../platform/index.js'
import type { Expected } from '../copy.js'
import type { ProtocolRegistry } from '../protocols/index.js'
import {
  copyWithOptions,
  mintRemovalToken,
  mintTransferToken,
  type Hop,
  type TokenMinter,
} from '../scheduler/index.js'

export interface RouteCopyOptions {
  transferId: string
  tokens?: TokenMinter | undefined
  logger?: Logger | undefined
  /** Expected seconds per hop, for the tokens' lifetime. */
  expectedSeconds: number
  /** Cancels the copy (the attempt's deadline). */
  signal?: AbortSignal | undefined
}

/** Where a transfer's temporary copies live on intermediates (relative to a protocol's base). */
export function temporaryPathOf(transferId: string): string {
  return `.multihop/${transferId}`
}

export async function copyAlongRoute(
  registry: ProtocolRegistry,
  hops: readonly Hop[],
  expected: Expected,
  options: RouteCopyOptions,
): Promise<void> {
  const written: Hop[] = []
  let reference = expected
  try {
    for (const hop of hops) {
      const token = options.tokens
        ? await mintTransferToken(options.tokens, {
            transferId: options.transferId,
            source: { endpoint: hop.from.endpoint.name, path: hop.from.path },
            destination: { endpoint: hop.to.endpoint.name, path: hop.to.path },
            expectedSeconds: options.expectedSeconds,
          })
        : undefined
      if (hop.temporary) written.push(hop)
      const result = await copyWithOptions(registry, hop.sourceUrl, hop.destUrl, reference, {
        token,
        tpc: hop.tpc,
        signal: options.signal,
      })
      // A file whose checksum the catalogue lacks is held to what the first hop measured.
      reference = { bytes: result.bytes, adler32: result.adler32 }
    }
  } finally {
    await Promise.all(written.map((hop) => removeTemporary(registry, hop, options)))
  }
}

async function removeTemporary(
  registry: ProtocolRegistry,
  hop: Hop,
  options: RouteCopyOptions,
): Promise<void> {
  try {
    const token = options.tokens
      ? await mintRemovalToken(options.tokens, {
          transferId: options.transferId,
          endpoint: hop.to.endpoint.name,
          path: hop.to.path,
        })
      : undefined
    await registry.for(hop.destUrl).delete(hop.destUrl, { token })
  } catch (err) {
    // The retry of this transfer (same path) or an operator removes it; the copy itself stands.
    options.logger?.warn(
      { transfer: options.transferId, url: hop.destUrl, err },
      'could not remove a multi-hop temporary copy',
    )
  }
}
