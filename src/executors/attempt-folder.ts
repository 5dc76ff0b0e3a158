/**
 * One working folder per task attempt. A confined job does not write into its workflow's
 * folder: the sandbox mounts a fresh, empty folder of its own attempt at the workflow folder's
 * path, with its declared inputs (and the declared outputs of the tasks it needs) bound in
 * read-only. Other tasks' files, finished or running, are not there. When the attempt ends
 * well, what it made is moved back into the workflow's folder; a failed, cancelled or killed
 * attempt leaves nothing behind there, so a retry starts clean and no half-written output is
 * ever taken for a result.
 *
 * The plan of an attempt (its workflow folder and the mount points made for its inputs) is
 * kept beside its folder, outside the job's reach, so that any worker can collect it after a
 * crash.
 */
import {
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  statSync,
  writeFileSync,
  type Dirent,
  type Stats,
} from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { JobSpec } from './types.js'

/** Where an input is seen: `target` (under the workflow folder) shows `source`, read-only. */
export interface InputBind {
  source: string
  target: string
}

export interface AttemptFolder {
  /** The attempt's own folder, mounted at the job's workdir. */
  work: string
  binds: InputBind[]
}

interface AttemptPlan {
  workdir: string
  /** Paths (relative) of the mount points made for inputs: never moved back. */
  mountPoints: string[]
  /** Only these paths (relative) are moved back; absent: everything (JobSpec.keep). */
  keep?: string[]
}

const workRoot = (root: string) => path.join(root, '.work')
const planFile = (root: string, attemptId: string) => path.join(workRoot(root), `${attemptId}.json`)

/**
 * Makes the attempt's folder (owned by the job's account) with a mount point for each input
 * that exists, and records the plan. Inputs outside the workflow folder are ignored; a missing
 * one is left for the job to report. An input that is a link (a replica staged in from local
 * storage) is shown as the file it leads to.
 */
export function prepareAttemptFolder(
  root: string,
  job: JobSpec,
  owner: { uid: number; gid: number } | undefined,
): AttemptFolder {
  const work = path.join(workRoot(root), job.attemptId)
  mkdirSync(workRoot(root), { recursive: true, mode: 0o700 })
  mkdirSync(work, { recursive: true, mode: 0o700 })
  const own = (p: string) => {
    if (owner && process.getuid?.() === 0) chownSync(p, owner.uid, owner.gid)
  }
  own(work)
  const binds: InputBind[] = []
  const mountPoints: string[] = []
  const seen = new Set<string>()
  for (const input of job.inputs ?? []) {
    const target = path.resolve(job.workdir, input)
    const rel = path.relative(job.workdir, target)
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || seen.has(rel)) continue
    if (binds.some((b) => rel.startsWith(`${path.relative(job.workdir, b.target)}/`))) continue
    let source: string
    try {
      if (!onlyServerLinks(job.workdir, rel)) continue
      source = realpathSync(target)
    } catch {
      continue // Missing: the job reports it.
    }
    seen.add(rel)
    const isDir = statSync(source).isDirectory()
    // The folders above the mount point are the job's, so it may write beside its inputs.
    let dir = work
    for (const part of path
      .dirname(rel)
      .split('/')
      .filter((p) => p !== '.')) {
      dir = path.join(dir, part)
      if (!existsSync(dir)) {
        mkdirSync(dir, { mode: 0o755 })
        own(dir)
      }
    }
    const point = path.join(work, rel)
    if (!existsSync(point)) {
      if (isDir) mkdirSync(point)
      else closeSync(openSync(point, 'w', 0o644))
    }
    binds.push({ source, target })
    mountPoints.push(rel)
  }
  const plan: AttemptPlan = {
    workdir: job.workdir,
    mountPoints,
    ...(job.keep === undefined ? {} : { keep: job.keep }),
  }
  writeFileSync(planFile(root, job.attemptId), JSON.stringify(plan), { mode: 0o600 })
  return { work, binds }
}

/**
 * Moves what a finished attempt made into its workflow's folder: regular files, one by one, and
 * the folders that hold them, replacing files of the same name. Links and special files stay
 * behind, wherever they are: a link a job made must never become a later task's input, which
 * would be bound from wherever it points. Safe to run again after a crash; returns the moved
 * files, or undefined if there was no plan.
 */
export async function collectAttemptFolder(
  root: string,
  attemptId: string,
): Promise<string[] | undefined> {
  // Asynchronous: a wide workflow ends hundreds of attempts a second, and these calls on the
  // event loop held up the engine that dispatches the next ones.
  const plan = await readPlan(root, attemptId)
  if (!plan) return undefined
  const work = path.join(workRoot(root), attemptId)
  const skip = new Set(plan.mountPoints)
  const keep = plan.keep?.map((k) => path.normalize(k).replace(/\/+$/, ''))
  const kept = (rel: string) => !keep || keep.some((k) => rel === k || rel.startsWith(`${k}/`))
  const above = (rel: string) => keep?.some((k) => k.startsWith(`${rel}/`)) ?? false
  const moved: string[] = []
  const walk = async (rel: string): Promise<void> => {
    let entries: Dirent[]
    try {
      entries = await fsp.readdir(path.join(work, rel), { withFileTypes: true })
    } catch (err) {
      if (rel === '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (skip.has(child)) continue
      // Outside what the job may leave (JobSpec.keep): it stays behind and goes with the folder.
      if (!kept(child) && !(entry.isDirectory() && above(child))) continue
      const to = path.join(plan.workdir, child)
      if (entry.isDirectory()) {
        const there = await lstatOrUndefined(to)
        if (there && !there.isDirectory()) await fsp.rm(to, { force: true })
        // recursive: attempts of one workflow are collected together, and two may make the
        // same folder at once (the second must not fail on the first's).
        if (!there?.isDirectory()) await fsp.mkdir(to, { recursive: true })
        await walk(child)
      } else if (entry.isFile() && kept(child)) {
        await moveFile(path.join(work, child), to)
        moved.push(child)
      }
    }
  }
  await walk('')
  await discardAttemptFolder(root, attemptId)
  return moved
}

/** Removes an attempt's folder and plan (a failed or cancelled attempt's files are not kept). */
export async function discardAttemptFolder(root: string, attemptId: string): Promise<void> {
  await fsp.rm(path.join(workRoot(root), attemptId), { recursive: true, force: true })
  await fsp.rm(planFile(root, attemptId), { force: true })
}

export function hasAttemptFolder(root: string, attemptId: string): boolean {
  return existsSync(planFile(root, attemptId))
}

/**
 * Whether every link on the way to an input was made by this server (staging links replicas
 * in so): a link someone else left in a workflow folder could lead to any file of this
 * machine, which the bind would then show to the job.
 */
function onlyServerLinks(workdir: string, rel: string): boolean {
  const me = process.getuid?.()
  let p = workdir
  for (const part of rel.split('/')) {
    p = path.join(p, part)
    const stat = lstatSync(p)
    if (stat.isSymbolicLink() && me !== undefined && stat.uid !== me) return false
  }
  return true
}

async function readPlan(root: string, attemptId: string): Promise<AttemptPlan | undefined> {
  try {
    return JSON.parse(await fsp.readFile(planFile(root, attemptId), 'utf8')) as AttemptPlan
  } catch {
    return undefined
  }
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  const there = await lstatOrUndefined(to)
  if (there?.isDirectory()) await fsp.rm(to, { recursive: true, force: true })
  try {
    await fsp.rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    // The runs and the workflows live on different file systems: copy, then remove.
    await fsp.copyFile(from, to)
    await fsp.rm(from, { force: true })
  }
}
