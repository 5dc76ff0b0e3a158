/**
 * Paths of POSIX endpoints, checked before any file is touched: canonical (no `.`/`..`), and
 * reached through no symbolic link. A link anywhere on the way (a scope folder, a replica, a
 * parent of the endpoint's root) could point outside the root, so storage refuses it rather
 * than decide where it leads. The root itself must therefore be a real path (`realpath`).
 */
import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ContinuumError } from '../../platform/index.js'

/** The local path a file:// URL names, refused when not canonical or when it crosses a link. */
export function safeLocalPath(url: string): string {
  let p: string
  try {
    p = fileURLToPath(url)
  } catch (cause) {
    throw new ContinuumError('STORAGE_ERROR', `not a file URL: ${url}`, { url }, { cause })
  }
  if (path.normalize(p) !== p || p.split(path.sep).includes('..')) {
    throw new ContinuumError('STORAGE_ERROR', `refusing a non-canonical path: ${url}`, { url })
  }
  assertNoSymlink(p, url)
  return p
}

/**
 * Refuses a path whose existing part resolves elsewhere: the deepest existing ancestor (or the
 * path itself) must be its own real path. Parts that do not exist yet cannot be links; they are
 * created by mkdir, which makes directories, not links.
 */
export function assertNoSymlink(p: string, url: string): void {
  let existing = p
  for (;;) {
    try {
      lstatSync(existing)
      break
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return // reported by the operation itself
      const parent = path.dirname(existing)
      if (parent === existing) return
      existing = parent
    }
  }
  let real: string
  try {
    real = realpathSync.native(existing)
  } catch {
    // A dangling link: lstat saw it, realpath cannot follow it.
    real = ''
  }
  if (real !== existing) {
    throw new ContinuumError(
      'STORAGE_SYMLINK_REFUSED',
      `refusing ${url}: '${existing}' is or goes through a symbolic link`,
      { url },
    )
  }
}
