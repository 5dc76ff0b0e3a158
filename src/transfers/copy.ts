/**
 * One verified copy: stream source → destination through this process, computing size and
 * adler32 on the way, then verify what the destination holds by reading it back. A destination
 * that does not verify is deleted, never left behind.
 */
import { ContinuumError } from '../platform/index.js'
import { checksummed, digestOf, StreamingChecksum, type Digest } from './checksums.js'
import type { ProtocolRegistry } from './protocols/index.js'

export interface Expected {
  /** null when unknown before streaming (an upload without a declared size). */
  bytes: number | null
  adler32: string | null
}

/** Throws CHECKSUM_MISMATCH if `got` differs from `expected` (adler32 only when known). */
export function assertDigest(where: string, expected: Expected, got: Digest): void {
  if (
    (expected.bytes !== null && got.bytes !== expected.bytes) ||
    (expected.adler32 !== null && got.adler32 !== expected.adler32)
  ) {
    throw new ContinuumError(
      'CHECKSUM_MISMATCH',
      `${where}: expected ${expected.bytes ?? '?'} bytes adler32 ${expected.adler32 ?? '?'}, got ${got.bytes} bytes adler32 ${got.adler32}`,
      {
        url: where,
        expected,
        got,
      },
    )
  }
}

/** Writes a stream to `destUrl` and verifies it there; returns the verified digest. */
export async function writeVerified(
  registry: ProtocolRegistry,
  source: AsyncIterable<Uint8Array>,
  destUrl: string,
  expected: Expected,
): Promise<Digest> {
  const dest = registry.for(destUrl)
  const sum = await StreamingChecksum.create()
  try {
    await dest.write(
      destUrl,
      checksummed(source, sum),
      expected.bytes === null ? {} : { bytes: expected.bytes },
    )
    const streamed = sum.digest()
    assertDigest(`stream to ${destUrl}`, expected, streamed)
    const stat = await dest.stat(destUrl)
    if (stat?.bytes !== streamed.bytes) {
      throw new ContinuumError(
        'CHECKSUM_MISMATCH',
        `${destUrl}: holds ${stat?.bytes ?? 'no'} bytes after writing ${streamed.bytes}`,
        { url: destUrl },
      )
    }
    const written = await digestOf(dest.read(destUrl))
    assertDigest(destUrl, streamed, written)
    return written
  } catch (err) {
    await dest.delete(destUrl).catch(() => undefined)
    throw err
  }
}

export async function copyVerified(
  registry: ProtocolRegistry,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
): Promise<Digest> {
  return writeVerified(registry, registry.for(sourceUrl).read(sourceUrl), destUrl, expected)
}
