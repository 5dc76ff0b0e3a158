/**
 * Reading a whole file back to verify it, in pieces hashed on the checksum pool's threads at
 * once. Each piece is read by its thread (a file range, an HTTP Range request), so the bytes
 * never pass through the main thread, and the pieces' adler32 are joined in order.
 */
import { ADLER32_EMPTY, adler32Combine, formatAdler32 } from './adler32-combine.js'
import { sharedChecksumPool, type ChecksumPool } from './checksum-pool.js'
import type { PieceTask } from './checksum-task.js'
import type { Digest } from './checksums.js'

/** Below this a read-back stays on the main thread: starting threads would cost more. */
const RANGED_DIGEST_MIN_BYTES = 32 << 20
/** Pieces per thread: a slow piece then holds up less of the whole. */
const PIECES_PER_THREAD = 2
const MIN_PIECE_BYTES = 8 << 20

/** Should a read-back of `bytes` go to the pool? (Callers keep small files on this thread.) */
export function worthSplitting(bytes: number): boolean {
  return bytes >= RANGED_DIGEST_MIN_BYTES
}

/** adler32 of bytes [0, `bytes`) read as `pieceTask(start, end)` pieces on the pool. */
export async function rangedDigest(
  bytes: number,
  pieceTask: (start: number, end: number) => PieceTask,
  options: { signal?: AbortSignal | undefined; pool?: ChecksumPool | undefined } = {},
): Promise<Digest> {
  const pool = options.pool ?? sharedChecksumPool()
  const count = Math.max(
    1,
    Math.min(pool.size * PIECES_PER_THREAD, Math.floor(bytes / MIN_PIECE_BYTES)),
  )
  const size = Math.ceil(bytes / count)
  // The first piece to fail stops the others: the read-back has failed either way.
  const failed = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal
  const pieces: Promise<{ adler32: number; bytes: number }>[] = []
  for (let start = 0; start < bytes; start += size) {
    const piece = pool.run(pieceTask(start, Math.min(bytes, start + size)), { signal })
    piece.catch(() => failed.abort())
    pieces.push(piece)
  }
  let folded = ADLER32_EMPTY
  for (const piece of await Promise.all(pieces)) {
    folded = adler32Combine(folded, piece.adler32, piece.bytes)
  }
  return { bytes, adler32: formatAdler32(folded) }
}
