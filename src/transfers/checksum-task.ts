/** Messages between the checksum pool and its threads (kept apart so both import only types). */

/**
 * One piece of work: adler32 of bytes handed over, of a file range, or of an HTTP range; or an
 * HTTP range written into a file at its offset and then read back from the file and hashed.
 */
export type PieceTask =
  | { op: 'bytes'; data: Uint8Array }
  | { op: 'file'; path: string; start: number; end: number }
  | {
      op: 'http'
      url: string
      headers: Record<string, string>
      start: number
      end: number
      timeoutMs: number
    }
  | {
      op: 'http-to-file'
      url: string
      headers: Record<string, string>
      start: number
      end: number
      timeoutMs: number
      /** An existing file (the caller made it); the piece goes to bytes [start, end). */
      path: string
    }

export interface PieceDigest {
  adler32: number
  bytes: number
}

export type ToThread = { id: number; task: PieceTask } | { id: number; cancel: true }

/** What failed, as plain data: errors do not cross threads with their class or properties. */
export interface ThreadError {
  message: string
  name?: string | undefined
  code?: string | undefined
  status?: number | undefined
  statusMessage?: string | undefined
}

export type FromThread =
  ({ id: number; ok: true } & PieceDigest) | { id: number; ok: false; error: ThreadError }
