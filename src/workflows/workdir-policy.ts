/**
 * Where a client may ask a workflow to run. The folder is bound read-write into every job of
 * the workflow and handed to the job's account, and stage-out uploads from it, so a client
 * choosing it freely could have the server's keys uploaded or a job own the keys folder. Over
 * the API a `workdir` must be a real folder (no links) under one of the site's `workdirRoots`,
 * and never the server's home or anything in it, nor a folder that holds it.
 */
import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'

export interface WorkdirPolicy {
  /** Folders under which clients may name a workdir (absolute). */
  roots: readonly string[]
  /** Folders no workdir may be in or contain (the server's home, its keys and database). */
  protectedPaths: readonly string[]
}

/** Never a workdir, whatever the roots say: the job's account is given its workdir. */
const systemFolders = [
  '/etc',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/boot',
  '/proc',
  '/sys',
  '/dev',
  '/var',
]

const within = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`)

export function assertWorkdirAllowed(workdir: string, policy: WorkdirPolicy): void {
  const refuse = (why: string) =>
    new ContinuumError('WORKDIR_REFUSED', `workdir ${workdir} is refused: ${why}`, { workdir })
  let real: string
  try {
    real = realpathSync(workdir)
  } catch {
    throw refuse('it is not an existing folder on the server')
  }
  if (real !== path.resolve(workdir)) throw refuse('it goes through a symbolic link')
  if (!statSync(real).isDirectory()) throw refuse('it is not a folder')
  for (const p of [...systemFolders, ...policy.protectedPaths]) {
    const guarded = path.resolve(p)
    if (within(real, guarded) || within(guarded, real)) {
      throw refuse("it overlaps the server's own files")
    }
  }
  if (!policy.roots.some((r) => within(real, path.resolve(r)))) {
    throw refuse('it is outside the folders this site lets clients choose (workdirRoots)')
  }
}
