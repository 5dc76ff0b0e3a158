/**
 * Parent collections (folders) on WebDAV servers that do not create them on their own: an
 * HTTP-TPC COPY never does (XrdHttp answers 400 "Unable to create …"), a PUT does not on
 * servers that answer 409. MKCOL is sent for the deepest missing folder first and walks up only
 * on 409, so a folder whose parent exists costs one request (XrdHttp makes the whole path in
 * one). Folders known to exist are remembered, so each is asked for once per process.
 */
import type http from 'node:http'
import { fromHttpStatus } from './storage-errors.js'
import type { OperationOptions } from './storage-protocol.js'

/** Sends MKCOL to a folder URL (ending in `/`) and returns the response, body unread. */
export type Mkcol = (folderUrl: string, options: OperationOptions) => Promise<http.IncomingMessage>

/** Bounds the memory of a long-running worker; forgetting only costs a repeated MKCOL. */
const rememberAtMost = 50_000

export class ParentCollections {
  private readonly known = new Set<string>()
  /** Folders being created now: concurrent copies into one new folder share the request. */
  private readonly pending = new Map<string, Promise<void>>()

  constructor(private readonly mkcol: Mkcol) {}

  /**
   * Makes sure the folder holding `fileUrl` exists; false when the server would not say so.
   * Throws on refusal (401/403), not on other answers of servers without MKCOL: the request that
   * follows then reports what is wrong.
   */
  async ensure(fileUrl: string, options: OperationOptions = {}): Promise<boolean> {
    const folder = parentOf(fileUrl)
    await this.ensureFolder(folder, options)
    return folder === undefined || this.known.has(folder)
  }

  /** The folder of `fileUrl` turned out to be missing after all (removed behind our back). */
  forget(fileUrl: string): void {
    const folder = parentOf(fileUrl)
    if (folder !== undefined) this.known.delete(folder)
  }

  private ensureFolder(folder: string | undefined, options: OperationOptions): Promise<void> {
    if (folder === undefined || this.known.has(folder)) return Promise.resolve()
    let running = this.pending.get(folder)
    if (!running) {
      running = this.create(folder, options).finally(() => this.pending.delete(folder))
      this.pending.set(folder, running)
    }
    return running
  }

  private async create(folder: string, options: OperationOptions): Promise<void> {
    let status = await this.ask(folder, options)
    if (status === 409) {
      await this.ensureFolder(parentOf(folder), options)
      status = await this.ask(folder, options)
    }
    // 201 made it, 405 "already exists"; anything else is left for the next request to explain.
    if (status === 201 || status === 405) this.remember(folder)
    else if (status === 401 || status === 403) throw fromHttpStatus('MKCOL', folder, status)
  }

  private async ask(folder: string, options: OperationOptions): Promise<number> {
    const res = await this.mkcol(folder, options)
    res.resume()
    return res.statusCode ?? 0
  }

  private remember(folder: string): void {
    if (this.known.size >= rememberAtMost) this.known.clear()
    // Its ancestors exist too.
    for (let f: string | undefined = folder; f !== undefined; f = parentOf(f)) this.known.add(f)
  }
}

/** `http://h/a/b/f.bin` → `http://h/a/b/`; `http://h/a/` → `http://h/`; the root → undefined. */
export function parentOf(url: string): string | undefined {
  const u = new URL(url)
  const trimmed = u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname
  const cut = trimmed.lastIndexOf('/')
  if (cut <= 0) return undefined
  return `${u.origin}${trimmed.slice(0, cut + 1)}`
}
