/**
 * An ended ARC job's session folder brought back here: its files into the attempt's work
 * folder, where stage-out finds them as on any other site, and its logs beside this process's
 * record of the attempt. Names come from the CE and are not trusted: no `..`, no absolute
 * paths, no writing through a link, and a byte limit over the whole folder.
 */
import { existsSync, lstatSync, mkdirSync, renameSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'
import type { ArcRestClient } from './arc-rest.js'

export interface BringBackOptions {
  workdir: string
  /** Where `stdout` and `stderr` of the session's top folder go. */
  logsDir: string
  /** Names not brought back (the inputs, the launcher's file). */
  skip: ReadonlySet<string>
  maxBytes: number
}

export async function bringBack(
  client: ArcRestClient,
  jobId: string,
  options: BringBackOptions,
): Promise<void> {
  let total = 0
  const walk = async (dir: string): Promise<void> => {
    const listing = await client.listSession(jobId, dir)
    for (const name of listing.files) {
      const rel = dir ? `${dir}/${name}` : name
      safeRelative(rel)
      if (options.skip.has(rel)) continue
      const log = dir === '' && (name === 'stdout' || name === 'stderr')
      const target = log ? path.join(options.logsDir, name) : ensureInside(options.workdir, rel)
      const partial = `${target}.cx-part`
      total += await client.download(jobId, rel, partial, options.maxBytes - total)
      // rename() replaces a link of that name rather than writing through it.
      renameSync(partial, target)
    }
    for (const sub of listing.dirs) await walk(dir ? `${dir}/${sub}` : sub)
  }
  await walk('')
}

/** A relative path with no `..`, no absolute start and no NUL: the CE's names are not trusted. */
export function safeRelative(name: string): string {
  const parts = name.split('/')
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\u0000') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new ContinuumError('VALIDATION_FAILED', `unsafe file name '${name}' in an ARC job`, {
      name,
    })
  }
  return name
}

/** `root/rel`, with every folder on the way a real folder (made if missing), never a link. */
function ensureInside(root: string, rel: string): string {
  const parts = rel.split('/')
  let at = root
  for (const part of parts.slice(0, -1)) {
    at = path.join(at, part)
    if (!existsSync(at)) mkdirSync(at, { mode: 0o700 })
    if (!lstatSync(at).isDirectory()) {
      throw new ContinuumError('VALIDATION_FAILED', `'${rel}' would leave the run folder`, { rel })
    }
  }
  return path.join(at, parts.at(-1) as string)
}

export async function tailOf(file: string, maxBytes: number): Promise<string> {
  try {
    const text = await readFile(file)
    return text.subarray(Math.max(0, text.length - maxBytes)).toString('utf8')
  } catch {
    return ''
  }
}
