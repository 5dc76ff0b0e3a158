/**
 * One verified copy. Third-party copy when both ends speak a protocol that offers it (the bytes
 * go from server to server), otherwise streamed through this process, its size counted (and its
 * adler32 computed when the catalogue does not know it yet). Either way the destination is then
 * verified against the expected checksum: the endpoint is asked for
 * its adler32 when it can compute one (XRootD, WebDAV servers answering Want-Digest), else the
 * file is read back. A destination that does not verify is deleted, never left behind.
 */
import { ContinuumError } from '../platform/index.js'
import { checksummed, digestOf, StreamingChecksum, type Digest } from './checksums.js'
import type { ProtocolRegistry } from './protocols/index.js'
import type { StorageProtocol } from './protocols/storage-protocol.js'

export interface Expected {
  /** null when unknown before streaming (an upload without a declared size). */
  bytes: number | null
  adler32: string | null
}

export interface CopyOptions {
  /** Bearer token for both ends (overridden per end by sourceToken / destToken). */
  token?: string | undefined
  sourceToken?: string | undefined
  destToken?: string | undefined
  signal?: AbortSignal | undefined
  /** Third-party copy: try it first (default), never, or fail when it is not possible. */
  tpc?: 'prefer' | 'never' | 'only' | undefined
}

export interface CopyResult extends Digest {
  /**
   * How the bytes moved: server to server, or through this worker (its own streams, or a
   * protocol client such as xrdcp reading or writing the local file).
   */
  mode: 'tpc' | 'streamed'
  /** How the destination was checked: its own checksum, or reading it back. */
  verifiedBy: 'endpoint' | 'read-back'
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
      { url: where, expected, got },
    )
  }
}

/** Writes a stream to `destUrl` and verifies it there; returns the verified digest. */
export async function writeVerified(
  registry: ProtocolRegistry,
  source: AsyncIterable<Uint8Array>,
  destUrl: string,
  expected: Expected,
  options: CopyOptions = {},
): Promise<Digest & { verifiedBy: CopyResult['verifiedBy'] }> {
  const dest = registry.for(destUrl)
  const token = options.destToken ?? options.token
  // With the checksum known, the destination's own bytes are what gets checked against it, so the
  // stream is only counted (hashing it inline would cost the copy ~40 % on one core for nothing).
  // Unknown (an upload without a declared checksum): it is learnt from the stream, then checked.
  const sum = expected.adler32 === null ? await StreamingChecksum.create() : undefined
  const counter = { bytes: 0 }
  try {
    await dest.write(destUrl, sum ? checksummed(source, sum) : counted(source, counter), {
      ...(expected.bytes === null ? {} : { bytes: expected.bytes }),
      token,
      signal: options.signal,
    })
    const streamed = sum ? sum.digest() : { bytes: counter.bytes, adler32: expected.adler32! }
    assertDigest(`stream to ${destUrl}`, expected, streamed)
    return await verifyAt(dest, destUrl, streamed, options)
  } catch (err) {
    await dest.delete(destUrl, { token }).catch(() => undefined)
    throw err
  }
}

async function* counted(
  source: AsyncIterable<Uint8Array>,
  counter: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    counter.bytes += chunk.byteLength
    yield chunk
  }
}

/**
 * Copies `sourceUrl` to `destUrl` and verifies the destination against `expected` (what the
 * catalogue records; fields may be null when unknown). Existing callers pass four arguments and
 * get a Digest; the result also says how the copy was made and verified.
 */
export async function copyVerified(
  registry: ProtocolRegistry,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const tpc = options.tpc ?? 'prefer'
  const source = registry.for(sourceUrl)
  const dest = registry.for(destUrl)
  const sourceToken = options.sourceToken ?? options.token
  const destToken = options.destToken ?? options.token
  if (tpc !== 'never' && source === dest && dest.thirdPartyCopy) {
    const outcome = await dest.thirdPartyCopy(sourceUrl, destUrl, {
      sourceToken,
      destToken,
      signal: options.signal,
    })
    if (outcome === 'done') {
      return {
        ...(await verifyMoved(source, dest, sourceUrl, destUrl, expected, options)),
        mode: 'tpc',
      }
    }
  }
  if (tpc === 'only') {
    throw new ContinuumError(
      'STORAGE_ERROR',
      `third-party copy is not possible from ${sourceUrl} to ${destUrl}`,
      { url: destUrl, source: sourceUrl },
    )
  }
  const local = await copyLocalFile(source, dest, sourceUrl, destUrl, expected, options)
  if (local) {
    const verified = await verifyMoved(source, dest, sourceUrl, destUrl, expected, {
      ...options,
      readBack: local.readBack,
    })
    return { ...verified, mode: 'streamed' }
  }
  const written = await writeVerified(
    registry,
    source.read(sourceUrl, { token: sourceToken, signal: options.signal }),
    destUrl,
    expected,
    options,
  )
  return { ...written, mode: 'streamed' }
}

/**
 * One end a local file, the other a protocol whose client reads or writes files itself (xrdcp):
 * the client is given the file, so the bytes skip the pipe through this process (measured in
 * BENCHMARKS.md: the pipe and Node's file writes cost more than the copy). False when the pair
 * offers no such way; nothing is written then.
 */
async function copyLocalFile(
  source: StorageProtocol,
  dest: StorageProtocol,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
  options: CopyOptions,
): Promise<{ readBack?: Digest | undefined } | undefined> {
  const signal = options.signal
  if (source.local && dest.uploadFile) {
    const token = options.destToken ?? options.token
    const bytes = expected.bytes ?? undefined
    const file = await source.local.localPath(sourceUrl, { signal })
    await dest.uploadFile(file, destUrl, { token, signal, bytes })
    return {}
  }
  if (dest.local && source.downloadFile) {
    const token = options.sourceToken ?? options.token
    const download = source.downloadFile.bind(source)
    let readBack: Digest | undefined
    await dest.local.writeLocally(
      destUrl,
      async (part) => void (readBack = await download(sourceUrl, part, { token, signal })),
      { signal, outsideLane: true },
    )
    return { readBack }
  }
  return undefined
}

/**
 * Verifies a destination that the bytes reached without passing through this process (TPC, a
 * client writing a local file): against the expected digest, else the source's own. One that
 * does not verify is deleted.
 */
async function verifyMoved(
  source: StorageProtocol,
  dest: StorageProtocol,
  sourceUrl: string,
  destUrl: string,
  expected: Expected,
  options: VerifyOptions,
): Promise<Digest & { verifiedBy: CopyResult['verifiedBy'] }> {
  try {
    const reference = await referenceDigest(source, sourceUrl, expected, options)
    return await verifyAt(dest, destUrl, reference, options)
  } catch (err) {
    await dest.delete(destUrl, { token: options.destToken ?? options.token }).catch(() => undefined)
    throw err
  }
}

/** What a third-party copy must have produced: the expected digest, else the source's own. */
async function referenceDigest(
  source: StorageProtocol,
  url: string,
  expected: Expected,
  options: CopyOptions,
): Promise<Expected> {
  if (expected.bytes !== null && expected.adler32 !== null) return expected
  const token = options.sourceToken ?? options.token
  const adler32 =
    expected.adler32 ?? (await source.checksum?.(url, 'adler32', { token, signal: options.signal }))
  const size = await source.stat(url, { token, signal: options.signal })
  if (adler32 !== undefined && size) return { bytes: expected.bytes ?? size.bytes, adler32 }
  const op = { token, signal: options.signal }
  return { ...expected, ...(await readBack(source, url, size?.bytes, op)) }
}

interface VerifyOptions extends CopyOptions {
  /** The destination's digest as its writer read it back: no need to ask or read again. */
  readBack?: Digest | undefined
}

/** Checks size and adler32 at the destination: the endpoint's checksum, or a read-back. */
async function verifyAt(
  dest: StorageProtocol,
  url: string,
  reference: Expected,
  options: VerifyOptions,
): Promise<Digest & { verifiedBy: CopyResult['verifiedBy'] }> {
  const op = { token: options.destToken ?? options.token, signal: options.signal }
  const stat = await dest.stat(url, op)
  if (!stat || (reference.bytes !== null && stat.bytes !== reference.bytes)) {
    throw new ContinuumError(
      'CHECKSUM_MISMATCH',
      `${url}: holds ${stat?.bytes ?? 'no'} bytes, expected ${reference.bytes}`,
      { url, expected: reference, got: { bytes: stat?.bytes ?? null } },
    )
  }
  if (options.readBack) {
    assertDigest(url, reference, options.readBack)
    return { ...options.readBack, verifiedBy: 'read-back' }
  }
  const answered = await dest.checksum?.(url, 'adler32', op)
  if (answered !== undefined) {
    const got = { bytes: stat.bytes, adler32: answered }
    assertDigest(url, reference, got)
    return { ...got, verifiedBy: 'endpoint' }
  }
  const got = await readBack(dest, url, stat.bytes, op)
  assertDigest(url, reference, got)
  return { ...got, verifiedBy: 'read-back' }
}

/** The file's digest by reading it here: the protocol's parallel way when it has one. */
async function readBack(
  protocol: StorageProtocol,
  url: string,
  bytes: number | undefined,
  op: { token: string | undefined; signal: AbortSignal | undefined },
): Promise<Digest> {
  if (bytes !== undefined && protocol.readDigest) return protocol.readDigest(url, bytes, op)
  return digestOf(protocol.read(url, op))
}
