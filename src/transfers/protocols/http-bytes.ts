/** Small pieces of the HTTP storage protocols: reading `Digest` headers, joining small writes. */
import type { ChecksumAlgorithm } from './storage-protocol.js'

/** `Digest: adler32=0a1b2c3d, md5=…` → the hex value for the algorithm, lower case. */
export function parseDigest(
  header: string | string[] | undefined,
  algorithm: ChecksumAlgorithm,
): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header
  for (const part of value?.split(',') ?? []) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === algorithm) {
      const hex = part
        .slice(eq + 1)
        .trim()
        .toLowerCase()
      if (/^[0-9a-f]{1,8}$/.test(hex)) return hex.padStart(8, '0')
    }
  }
  return undefined
}

/** Joins small chunks into writes of about `size` bytes: large writes make Node's HTTP client faster. */
export async function* coalesce(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = []
  let held = 0
  for await (const chunk of source) {
    if (held === 0 && chunk.byteLength >= size) {
      yield chunk
      continue
    }
    parts.push(chunk)
    held += chunk.byteLength
    if (held >= size) {
      yield Buffer.concat(parts, held)
      parts = []
      held = 0
    }
  }
  if (held > 0) yield Buffer.concat(parts, held)
}
