/** POSIX endpoints: directories reached through file:/// URLs. */
import { constants, createWriteStream } from 'node:fs'
import { copyFile, lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { ContinuumError } from '../../platform/index.js'
import { digestOf, type Digest } from '../checksums.js'
import { rangedDigest, worthSplitting } from '../ranged-digest.js'
import { safeLocalPath } from './posix-paths.js'
import { fromNodeError } from './storage-errors.js'
import type {
  LocalFiles,
  OperationOptions,
  StorageProtocol,
  WriteOptions,
} from './storage-protocol.js'

/** Checked path of a URL (see posix-paths.ts): canonical, and crossing no symbolic link. */
const toPath = safeLocalPath

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

/** Tokens do not apply: access to a mounted file system is the worker's own. */
export class PosixProtocol implements StorageProtocol {
  readonly schemes = ['file'] as const
  readonly local: LocalFiles = {
    localPath: toPath,
    writeLocally: (url, fill, options) => this.writeLocally(url, fill, options),
  }

  async stat(url: string): Promise<{ bytes: number } | undefined> {
    try {
      const s = await lstat(toPath(url))
      return s.isFile() ? { bytes: s.size } : undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw storageError('stat', url, err)
    }
  }

  async *read(url: string, options: OperationOptions = {}): AsyncIterable<Uint8Array> {
    try {
      // O_NOFOLLOW: a link swapped in after the path check is refused, not followed.
      const handle = await open(toPath(url), constants.O_RDONLY | constants.O_NOFOLLOW)
      yield* handle.createReadStream({
        highWaterMark: 4 << 20,
        ...(options.signal ? { signal: options.signal } : {}),
      }) as AsyncIterable<Uint8Array>
    } catch (err) {
      throw storageError('read', url, err)
    }
  }

  /** A large file is read back in ranges hashed on the checksum threads at once. */
  async readDigest(url: string, bytes: number, options: OperationOptions = {}): Promise<Digest> {
    if (!worthSplitting(bytes)) return digestOf(this.read(url, options))
    const file = toPath(url)
    try {
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

  /** The atomic part of `write`: `fill` makes the side file, which then takes the target's name. */
  private async writeLocally(
    url: string,
    fill: (partPath: string) => Promise<void>,
    options: OperationOptions = {},
  ): Promise<void> {
    const target = toPath(url)
    const part = `${target}.part`
    try {
      await mkdir(path.dirname(target), { recursive: true })
      // A link planted at the side file's name would be followed by the write: remove it.
      await rm(part, { force: true })
      await fill(part)
      options.signal?.throwIfAborted()
      await rename(part, target)
    } catch (err) {
      await rm(part, { force: true })
      throw storageError('write', url, err)
    }
  }

  async delete(url: string): Promise<void> {
    try {
      await rm(toPath(url), { force: true })
    } catch (err) {
      throw storageError('delete', url, err)
    }
  }
}
