/**
 * Large WebDAV reads split into parallel Range GETs on the checksum threads: reading a file back
 * to verify it, and downloading one into a local file (the threads write their pieces at their
 * offsets and read them back as they go, like a multi-stream download client that verifies).
 * Plain http only: the threads do not share this process's TLS settings, so https is read on
 * this thread, as is a small file or one from a server that ignores Range.
 */
import { createWriteStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { digestOf, type Digest } from '../checksums.js'
import { rangedDigest, worthSplitting } from '../ranged-digest.js'
import { fromHttpStatus, fromNodeError } from './storage-errors.js'

/** One file on a WebDAV server, as the ranged reads need it. */
export interface RangedSource {
  /** The URL as the caller gave it (for error messages). */
  url: string
  /** The same as http(s)://. */
  target: string
  headers: Record<string, string>
  timeoutMs: number
  signal: AbortSignal | undefined
  /** The whole file as one GET on this thread: the fallback. */
  stream: () => AsyncIterable<Uint8Array>
}

function splittable(source: RangedSource, bytes: number): boolean {
  return worthSplitting(bytes) && source.target.startsWith('http:')
}

/** Size and adler32 of the first `bytes` bytes, read back in parallel pieces where possible. */
export async function rangedReadDigest(source: RangedSource, bytes: number): Promise<Digest> {
  if (!splittable(source, bytes)) return digestOf(source.stream())
  const { target: url, headers, timeoutMs } = source
  try {
    return await rangedDigest(
      bytes,
      (start, end) => ({ op: 'http', url, headers, start, end, timeoutMs }),
      { signal: source.signal },
    )
  } catch (err) {
    if (ignoredRange(err)) return digestOf(source.stream())
    throw rangedFailure(source.url, err)
  }
}

/**
 * Downloads the file (`bytes` long, as the server said) into `localPath`. Returns the digest of
 * the bytes as read back from the local file when the download was split; undefined when it was
 * streamed here instead (the caller then reads the file back itself).
 */
export async function rangedDownload(
  source: RangedSource,
  bytes: number,
  localPath: string,
): Promise<Digest | undefined> {
  if (splittable(source, bytes)) {
    // The threads write into an existing file of the final size, each at its own offsets.
    const file = await open(localPath, 'w')
    await file.truncate(bytes).finally(() => file.close())
    const { target: url, headers, timeoutMs } = source
    try {
      return await rangedDigest(
        bytes,
        (start, end) => ({
          op: 'http-to-file',
          url,
          headers,
          start,
          end,
          timeoutMs,
          path: localPath,
        }),
        { signal: source.signal },
      )
    } catch (err) {
      if (!ignoredRange(err)) throw rangedFailure(source.url, err)
    }
  }
  await pipeline(
    Readable.from(source.stream(), { objectMode: false }),
    createWriteStream(localPath, { highWaterMark: 1 << 20 }),
    ...(source.signal ? [{ signal: source.signal }] : []),
  )
  return undefined
}

/** A 200 to a ranged GET: the server sent the whole file, so the file cannot be split. */
function ignoredRange(err: unknown): boolean {
  return (err as { status?: number }).status === 200
}

/** A ranged read's failure, as a storage error: an HTTP status, else the connection's fault. */
function rangedFailure(url: string, err: unknown): Error {
  const { status, statusMessage } = err as { status?: number; statusMessage?: string }
  if (status !== undefined) return fromHttpStatus('GET', url, status, statusMessage)
  return fromNodeError('GET', url, err)
}
