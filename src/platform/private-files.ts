/**
 * Files at rest: what the server keeps (the embedded database, the issuer's keys, local storage,
 * run folders) is its own. Server processes create files with umask 077, and refuse to start on
 * a home or database folder that other users can write, since whoever writes there can rewrite
 * stored functions and policies, or plant keys.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from './errors.js'

/** Makes new files 0600 and folders 0700 for the rest of this process. */
export function restrictNewFiles(): void {
  process.umask(0o077)
}

/**
 * Creates `dir` (0700) when missing; refuses it when group or others may write it or anything
 * in it (`deep`), with the command that fixes it. Existing group/other read bits are removed
 * from the folder itself: reading is not a take-over, but stored data is nobody else's.
 */
export function preparePrivateFolder(dir: string, what: string, options: { deep?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const unsafe = writableByOthers(dir, options.deep ?? false)
  if (unsafe !== undefined) {
    throw new ContinuumError(
      'FILE_PERMISSIONS_UNSAFE',
      `${what} ${dir} can be written by other users (${unsafe}); fix it with: chmod -R go-rwx ${dir}`,
      { folder: dir, path: unsafe },
    )
  }
  chmodSync(dir, lstatSync(dir).mode & 0o700)
}

/** The first path at or under `dir` that group or others may write, if any. */
function writableByOthers(dir: string, deep: boolean): string | undefined {
  const stat = lstatSync(dir)
  if (!stat.isSymbolicLink() && (stat.mode & 0o022) !== 0) return dir
  if (!deep || !stat.isDirectory()) return undefined
  for (const entry of readdirSync(dir)) {
    const found = writableByOthers(path.join(dir, entry), true)
    if (found !== undefined) return found
  }
  return undefined
}
