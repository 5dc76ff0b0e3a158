/**
 * One interface for every storage protocol (POSIX, WebDAV, XRootD, S3). URLs are full replica
 * URLs (endpoint protocol base + deterministic path). Writes never leave a partial file at the
 * final URL on failure; deletes are idempotent (a missing file is not an error). Failures are
 * ContinuumErrors of the storage classes (see storage-errors.ts), so that the scheduler can tell
 * a missing source from a full destination or a network fault.
 */

/** Per-operation options; every field is optional so that old callers keep working. */
export interface OperationOptions {
  /** A bearer token for this operation (part of the transfer, short-lived, narrow scope). */
  token?: string | undefined
  /** Cancels the operation; the protocol cleans up what it wrote. */
  signal?: AbortSignal | undefined
}

export interface WriteOptions extends OperationOptions {
  /** The size, when known: lets HTTP send Content-Length and S3 pick multipart. */
  bytes?: number | undefined
}

export type ChecksumAlgorithm = 'adler32'

/** What a third-party copy did: `done`, or `unsupported` (nothing was written: stream instead). */
export type ThirdPartyResult = 'done' | 'unsupported'

/** Each end's bearer token (they may differ) and a signal to abort the copy. */
export interface ThirdPartyOptions {
  sourceToken?: string | undefined
  destToken?: string | undefined
  signal?: AbortSignal | undefined
}

/**
 * Access to files on this machine's file systems (the POSIX protocol's): lets another
 * protocol's client that reads and writes files itself (xrdcp) move the bytes without a pipe
 * through this process.
 */
export interface LocalFiles {
  /** The path a file:// URL names (refused when not canonical or when it crosses a link). */
  localPath(url: string, options?: OperationOptions): Promise<string>
  /**
   * Makes the file at `url` by `fill(partPath)`: `fill` writes the whole file at `partPath`,
   * which is then renamed into place; a failure leaves nothing at `url` or at `partPath`.
   */
  writeLocally(
    url: string,
    fill: (partPath: string) => Promise<void>,
    options?: OperationOptions & {
      /** `fill` is another process's work (a protocol client): it needs no I/O thread here. */
      outsideLane?: boolean
    },
  ): Promise<void>
}

export interface StorageProtocol {
  /** URL schemes served, e.g. ['file'] or ['http', 'https', 'davs']. */
  readonly schemes: readonly string[]
  /** Size of the file, or undefined if it does not exist. */
  stat(url: string, options?: OperationOptions): Promise<{ bytes: number } | undefined>
  /** The file's bytes; a missing file fails with STORAGE_FILE_NOT_FOUND. */
  read(url: string, options?: OperationOptions): AsyncIterable<Uint8Array>
  /** Writes the stream to the URL, creating directories as needed. */
  write(url: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<void>
  delete(url: string, options?: OperationOptions): Promise<void>
  /**
   * The checksum as the endpoint computes it (lower-case hex), or undefined when the endpoint
   * cannot answer — the caller then reads the file back. Absent: never answers.
   */
  checksum?(
    url: string,
    algorithm: ChecksumAlgorithm,
    options?: OperationOptions,
  ): Promise<string | undefined>
  /**
   * Size and adler32 of the first `bytes` bytes, computed here by reading the file back (in
   * parallel pieces where the protocol can). Absent: the caller hashes `read()` itself.
   */
  readDigest?(
    url: string,
    bytes: number,
    options?: OperationOptions,
  ): Promise<{ bytes: number; adler32: string }>
  /**
   * Copies between two URLs of this protocol without the bytes passing through this process.
   * Returns `unsupported` when either end declines (nothing written); throws on a real failure.
   * The destination is written atomically as with `write`.
   */
  thirdPartyCopy?(
    sourceUrl: string,
    destUrl: string,
    options?: ThirdPartyOptions,
  ): Promise<ThirdPartyResult>
  /** Where the endpoints of this protocol are rooted (their base URLs), for those that care. */
  useRoots?(urls: readonly string[]): void
  /** Present on the POSIX protocol only: see LocalFiles. */
  readonly local?: LocalFiles
  /**
   * Uploads a local file, the protocol's client reading it itself (faster than `write` for a
   * client that runs as a subprocess). Atomic as `write`.
   */
  uploadFile?(localPath: string, url: string, options?: WriteOptions): Promise<void>
  /**
   * Downloads into a local file that the client writes itself (the caller renames it). When the
   * protocol read the file back from the local disk as it went, it returns that digest, and the
   * caller need not read it back again.
   */
  downloadFile?(
    url: string,
    localPath: string,
    options?: OperationOptions,
  ): Promise<{ bytes: number; adler32: string } | undefined>
}
