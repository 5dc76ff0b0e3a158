/**
 * Paths of POSIX endpoints, checked before any file is touched: canonical (no `.`/`..`), and
 * reached through no symbolic link. A link anywhere on the way (a scope folder, a replica, a
 * parent of the endpoint's root) could point outside the root, so storage refuses it rather
 * than decide where it leads. The root itself must therefore be a real path (`realpath`).
 * The checks ask the file system on the I/O threads, never blocking the event loop: a hung
 * mount must not stop the server (see file-lanes.ts).
 */
import { lstat, realpath } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ContinuumError } from '../../platform/index.js'

/** The local path a file:// URL names, refused when not canonical; the file system is not asked. */
export function canonicalLocalPath(url: string): string {
  let p: string
  try {
    p = fileURLToPath(url)
  } catch (cause) {
    throw new ContinuumError('STORAGE_ERROR', `not a file URL: ${url}`, { url }, { cause })
  }
  if (path.normalize(p) !== p || p.split(path.sep).includes('..')) {
    throw new ContinuumError('STORAGE_ERROR', `refusing a non-canonical path: ${url}`, { url })
  }
  return p
}

/**
 * Refuses a path whose existing part resolves elsewhere: the deepest existing ancestor (or the
 * path itself) must be its own real path. Parts that do not exist yet cannot be links; they are
 * created by mkdir, which makes directories, not links.
 */
export async function assertNoSymlink(p: string, url: string): Promise<void> {
  let existing = p
  for (;;) {
    try {
      await lstat(existing)
      break
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return // reported by the operation itself
      const parent = path.dirname(existing)
      if (parent === existing) return
      existing = parent
    }
  }
  // A dangling link: lstat saw it, realpath cannot follow it.
  const real = await realpath(existing).catch(() => '')
  if (real !== existing) {
    throw new ContinuumError(
      'STORAGE_SYMLINK_REFUSED',
      `refusing ${url}: '${existing}' is or goes through a symbolic link`,
      { url },
    )
  }
}
