/**
 * POSIX endpoints: directories reached through file:/// URLs. Every file-system call runs in
 * the lane of its endpoint (or of its mount), so a hung mount holds a bounded share of Node's
 * I/O threads and fails its own operations by their deadlines (see file-lanes.ts).
 */
import { constants, createWriteStream } from 'node:fs'
import { copyFile, lstat, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ContinuumError } from '../../platform/index.js'
import { digestOf, type Digest } from '../checksums.js'
import { rangedDigest, worthSplitting } from '../ranged-digest.js'
import { FileLanes, mountOf, type LaneStats } from './file-lanes.js'
import { assertNoSymlink, canonicalLocalPath } from './posix-paths.js'
import { fromNodeError } from './storage-errors.js'
import type {
  LocalFiles,
  OperationOptions,
  StorageProtocol,
  WriteOptions,
} from './storage-protocol.js'

/** ELOOP: the file became a link between the check and the open (O_NOFOLLOW refused it). */
function storageError(operation: 'stat' | 'read' | 'write' | 'delete', url: string, err: unknown) {
  if (err instanceof ContinuumError) return err
  if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
    return new ContinuumError('STORAGE_SYMLINK_REFUSED', `refusing ${url}: a symbolic link`, {
      url,
    })
  }
  return fromNodeError(operation, url, err)
}

export interface PosixOptions {
  /**
   * File-system calls one lane may have on the I/O threads at once. Default: a quarter of the
   * pool (UV_THREADPOOL_SIZE; `continuum` sets 32), at least 2.
   */
  perLane?: number
}

/** Tokens do not apply: access to a mounted file system is the worker's own. */
export class PosixProtocol implements StorageProtocol {
  readonly schemes = ['file'] as const
  readonly local: LocalFiles = {
    localPath: (url, options) => this.inLane(url, options?.signal, (p) => Promise.resolve(p)),
    writeLocally: (url, fill, options) => this.writeLocally(url, fill, options),
  }
  private readonly lanes: FileLanes
  /** The endpoints' root folders, longest first: each is a lane of its own. */
  private roots: string[] = []

  constructor(options: PosixOptions = {}) {
    const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4
    this.lanes = new FileLanes(options.perLane ?? Math.max(2, Math.floor(pool / 4)))
  }

  /** The endpoints' file:// bases, so that each endpoint is its own lane (else its mount). */
  useRoots(urls: readonly string[]): void {
    const roots = new Set<string>()
    for (const url of urls) {
      if (!url.startsWith('file:')) continue
      try {
        roots.add(path.resolve(fileURLToPath(url)))
      } catch {
        // Not a usable file URL: its operations say so themselves.
      }
    }
    this.roots = [...roots].sort((a, b) => b.length - a.length)
  }

  /** Calls in the lanes now: those holding an I/O thread and those waiting for one. */
  laneStats(): LaneStats[] {
    return this.lanes.stats()
  }

  private laneOf(p: string): string {
    const root = this.roots.find((r) => p === r || p.startsWith(r + path.sep))
    return root ? `endpoint:${root}` : `mount:${mountOf(p)}`
  }

  /**
   * `work` on the URL's checked path (canonical, crossing no link), in its lane. `hold` keeps
   * the lane's slot past `work`'s promise, for a file left open.
   */
  private inLane<T>(
    url: string,
    signal: AbortSignal | undefined,
    work: (p: string, hold: () => () => void) => Promise<T>,
  ): Promise<T> {
    const p = canonicalLocalPath(url)
    return this.lanes.run(this.laneOf(p), signal, async (hold) => {
      await assertNoSymlink(p, url)
      return work(p, hold)
    })
  }

  async stat(url: string, options: OperationOptions = {}): Promise<{ bytes: number } | undefined> {
    try {
      const s = await this.inLane(url, options.signal, (p) => lstat(p))
      return s.isFile() ? { bytes: s.size } : undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw storageError('stat', url, err)
    }
  }

  async *read(url: string, options: OperationOptions = {}): AsyncIterable<Uint8Array> {
    let opened: { handle: FileHandle; release: () => void }
    try {
      opened = await this.inLane(url, options.signal, async (p, hold) => {
        // The slot stays taken while the file is open: its reads use the I/O threads too.
        const release = hold()
        try {
          // O_NOFOLLOW: a link swapped in after the path check is refused, not followed.
          const handle = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW)
          if (options.signal?.aborted) void closeThen(handle, release)
          options.signal?.throwIfAborted()
          return { handle, release }
        } catch (err) {
          if (!options.signal?.aborted) release()
          throw err
        }
      })
    } catch (err) {
      throw storageError('read', url, err)
    }
    try {
      yield* opened.handle.createReadStream({
        highWaterMark: 4 << 20,
        autoClose: false,
        ...(options.signal ? { signal: options.signal } : {}),
      }) as AsyncIterable<Uint8Array>
    } catch (err) {
      throw storageError('read', url, err)
    } finally {
      // Closing waits for a read still in the kernel; the slot is free only then.
      void closeThen(opened.handle, opened.release)
    }
  }

  /** A large file is read back in ranges hashed on the checksum threads at once. */
  async readDigest(url: string, bytes: number, options: OperationOptions = {}): Promise<Digest> {
    if (!worthSplitting(bytes)) return digestOf(this.read(url, options))
    try {
      // The checksum threads read the file themselves; the lane checks its path only.
      const file = await this.inLane(url, options.signal, (p) => Promise.resolve(p))
      return await rangedDigest(bytes, (start, end) => ({ op: 'file', path: file, start, end }), {
        signal: options.signal,
      })
    } catch (err) {
      throw fromNodeError('read', url, err)
    }
  }

  /**
   * Writes beside the target and renames into place, so a failure never leaves a partial file
   * at the target. The side file's name is fixed, so a retry after a killed writer overwrites
   * what that writer left.
   */
  async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.writeLocally(
      url,
      (part) =>
        pipeline(
          Readable.from(source, { objectMode: false }),
          createWriteStream(part, { highWaterMark: 1024 * 1024 }),
          ...(options.signal ? [{ signal: options.signal }] : []),
        ),
      options,
    )
  }

  /**
   * Local to local: the kernel copies (`copyFile`, which may clone or use copy_file_range)
   * instead of the bytes passing through this process. A source that is not a regular file (a
   * named pipe) is streamed as by `write`. A missing source is the source's fault.
   */
  async uploadFile(localPath: string, url: string, options: WriteOptions = {}): Promise<void> {
    const source = pathToFileURL(localPath).href
    const kind = await stat(localPath).catch((err: unknown) => {
      throw fromNodeError('read', source, err)
    })
    if (!kind.isFile()) return this.write(url, this.read(source, options), options)
    await this.writeLocally(url, (part) => copyFile(localPath, part), options)
  }

  /**
   * The atomic part of `write`: `fill` makes the side file, which then takes the target's name.
   * `fill` runs in the lane (it writes through the I/O threads) unless `fill` is another
   * process's work (`outsideLane`: an xrdcp download), which needs no thread of ours.
   */
  private async writeLocally(
    url: string,
    fill: (partPath: string) => Promise<void>,
    options: OperationOptions & { outsideLane?: boolean } = {},
  ): Promise<void> {
    const signal = options.signal
    let part: string | undefined
    try {
      part = await this.inLane(url, signal, async (target) => {
        await mkdir(path.dirname(target), { recursive: true })
        // A link planted at the side file's name would be followed by the write: remove it.
        await rm(`${target}.part`, { force: true })
        if (!options.outsideLane) await fill(`${target}.part`)
        return `${target}.part`
      })
      if (options.outsideLane) await fill(part)
      signal?.throwIfAborted()
      const done = part
      await this.inLane(url, signal, (target) => rename(done, target))
    } catch (err) {
      await this.removePart(url)
      throw storageError('write', url, err)
    }
  }

  /** Removes a failed write's side file; on a hung mount, it gives up after a few seconds. */
  private async removePart(url: string): Promise<void> {
    let part: string
    try {
      part = `${canonicalLocalPath(url)}.part`
    } catch {
      return
    }
    await this.lanes
      .run(this.laneOf(part), AbortSignal.timeout(5000), () => rm(part, { force: true }))
      .catch(() => undefined)
  }

  async delete(url: string, options: OperationOptions = {}): Promise<void> {
    try {
      await this.inLane(url, options.signal, (p) => rm(p, { force: true }))
    } catch (err) {
      throw storageError('delete', url, err)
    }
  }
}

function closeThen(handle: FileHandle, release: () => void): Promise<void> {
  return handle
    .close()
    .catch(() => undefined)
    .finally(release)
}
