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
 * Creates `dir` (0700) when missing; refuses it when group or others may write it, with the
 * command that fixes it; otherwise takes group/other bits off the folder, and with
 * `contents` off everything in it. A 0700 folder is what protects the files inside: nobody
 * else can reach them, whatever mode a library gives a file it creates later.
 */
export function preparePrivateFolder(
  dir: string,
  what: string,
  options: { contents?: boolean } = {},
): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = lstatSync(dir).mode
  if ((mode & 0o022) !== 0) {
    throw new ContinuumError(
      'FILE_PERMISSIONS_UNSAFE',
      `${what} ${dir} can be written by other users (mode ${(mode & 0o777).toString(8)}); fix it with: chmod -R go-rwx ${dir}`,
      { folder: dir },
    )
  }
  chmodSync(dir, mode & 0o700)
  if (options.contents) tighten(dir)
}

function tighten(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isSymbolicLink()) continue
    const mode = lstatSync(full).mode
    if ((mode & 0o077) !== 0) chmodSync(full, mode & 0o700)
    if (entry.isDirectory()) tighten(full)
  }
}
