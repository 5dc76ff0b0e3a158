/**
 * One interface for every storage protocol (POSIX, WebDAV; XRootD and S3 later). URLs are full
 * replica URLs (endpoint protocol base + deterministic path). Writes never leave a partial file
 * at the final URL on failure; deletes are idempotent (a missing file is not an error).
 */
export interface StorageProtocol {
  /** URL schemes served, e.g. ['file'] or ['http', 'https', 'davs']. */
  readonly schemes: readonly string[]
  /** Size of the file, or undefined if it does not exist. */
  stat(url: string): Promise<{ bytes: number } | undefined>
  read(url: string): AsyncIterable<Uint8Array>
  /** Writes the stream to the URL, creating directories as needed. */
  write(url: string, source: AsyncIterable<Uint8Array>, options?: { bytes?: number }): Promise<void>
  delete(url: string): Promise<void>
}
