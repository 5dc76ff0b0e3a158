/**
 * Small pieces of the HTTP storage protocols: a response's success and text, reading `Digest`
 * headers, joining small writes.
 */
import type http from 'node:http'
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

/** A 2xx answer. */
export function ok(res: http.IncomingMessage): boolean {
  const status = res.statusCode ?? 0
  return status >= 200 && status < 300
}

export async function text(res: http.IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of res) body += String(chunk)
  return body
}
