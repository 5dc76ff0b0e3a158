/**
 * WorkReuse for CWL tasks (issue 19): a CWL task's command is built at dispatch (cwl-tasks.ts),
 * so its reuse key is too — the command, environment and image with the workflow's own folder
 * written as a placeholder (each run has a folder of its own), the tool's document, and the
 * content of every file and folder the task reads. The engine's cache (cache.ts, dispatch.ts)
 * finds a done task with that key; its output folder is then copied into this workflow's
 * folder, where the outputs are collected as if it had run. Only a task of a workflow of the
 * same community is reused (of the same owner for a workflow of no community): the key says
 * whose it is, and the look-up checks it again. `WorkReuse: {enableReuse: false}`, as a
 * requirement or a hint at any level, opts a step out, as does submitting with `noCache`.
 */
import { createHash, type Hash } from 'node:crypto'
import {
  cpSync,
  createReadStream,
  existsSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs'
import path from 'node:path'
import {
  evaluate,
  evaluatorFor,
  findRequirement,
  type Level,
  type Process,
  type ToolJob,
} from '../cwl/index.js'
import type { Executor } from '../db/index.js'
import { outputsExist } from './cache.js'
import { cwlRecords } from './cwl-plan.js'
import { findReusableTask } from './cwl-reuse-store.js'
import type { ClaimedTask } from './task-leases-store.js'
import type { TaskSpec } from './types.js'

export interface Tenancy {
  community: string | null
  owner: string | null
}

/** Whether WorkReuse lets this tool's results be reused (the default: yes). */
export async function reuseEnabled(
  tool: Process,
  levels: Level[],
  inputs: Record<string, unknown>,
): Promise<boolean> {
  const req = findRequirement('WorkReuse', tool, ...levels)
  const value = req?.enableReuse
  if (value === undefined || typeof value === 'boolean') return value !== false
  const js = await evaluatorFor(tool, ...levels)
  return evaluate(value, { inputs, self: null, runtime: {} }, js) !== false
}

/** A built CWL task's spec with its reuse key, or marked not to be reused. */
export async function withReuseKey(
  spec: TaskSpec,
  task: {
    workdir: string
    tenancy: Tenancy
    tool: Process
    levels: Level[]
    elements: ToolJob[]
    stage: string
  },
): Promise<TaskSpec> {
  const { reuseKey: _stale, ...ref } = spec.cwl!
  const tools = task.elements.filter((e) => e.kind === 'tool')
  let on = tools.length > 0
  for (const e of tools) on = on && (await reuseEnabled(task.tool, task.levels, e.inputs))
  if (!on) return { ...spec, cache: false, cwl: ref }
  const reuseKey = await cwlReuseKey({ ...task, spec })
  return { ...spec, cache: true, cwl: { ...ref, reuseKey } }
}

/** The task's reuse key: what it runs, as whom, and the content of what it reads. */
export async function cwlReuseKey(task: {
  workdir: string
  tenancy: Tenancy
  tool: Process
  spec: TaskSpec
  elements: ToolJob[]
  stage: string
}): Promise<string> {
  const mark = '\0workdir\0'
  const relative = (text: string) => text.split(task.workdir).join(mark)
  const h = createHash('sha256')
  h.update(
    relative(
      JSON.stringify({
        cwlReuse: 1,
        tenancy:
          task.tenancy.community === null
            ? { owner: task.tenancy.owner }
            : { community: task.tenancy.community },
        tool: task.tool.raw,
        argv: task.spec.argv,
        env: task.spec.env,
        image: task.spec.image,
        environment: task.spec.environment,
        // Files of the federation: by identifier (what a `did:` names does not change).
        dids: task.spec.inputs.filter((i) => i.startsWith('did:')).sort(),
        elements: task.elements.map((e) => ({ env: e.env, successCodes: e.successCodes })),
      }),
    ),
  )
  const read = new Set<string>([task.stage])
  for (const e of task.elements) pathsIn(e.inputs, read)
  for (const p of [...read].sort()) {
    h.update(`\0${relative(p)}\0`)
    await hashTree(h, p)
  }
  return `cwl:${h.digest('hex')}`
}

/**
 * Whether a cache hit's outputs are there for this task: a YAML task's in its own folder; a
 * CWL task's copied in from the folder of the task it reuses, if that one is still there.
 */
export async function cachedOutputsReady(
  db: Executor,
  row: ClaimedTask,
  spec: TaskSpec,
  hit: { id: string },
): Promise<boolean> {
  if (!spec.cwl) return outputsExist(spec, row.workdir)
  const found = await findReusableTask(db, hit.id, row)
  if (!found?.spec.cwl) return false
  const from = cwlRecords.taskFolder(found.workdir, found.spec.cwl.dir)
  const to = cwlRecords.taskFolder(row.workdir, spec.cwl.dir)
  if (!existsSync(from) || path.resolve(from) === path.resolve(to)) return false
  rmSync(to, { recursive: true, force: true })
  // A link the job made to something outside its own folder is not followed into this one.
  cpSync(from, to, {
    recursive: true,
    filter: (source) => {
      if (!lstatSync(source).isSymbolicLink()) return true
      const target = path.resolve(path.dirname(source), readlinkSync(source))
      const rel = path.relative(from, target)
      return !rel.startsWith('..') && !path.isAbsolute(rel)
    },
  })
  rmSync(cwlRecords.outputs(row.workdir, spec.cwl.dir), { force: true })
  return true
}

/** Absolute paths of the files and folders a value names. */
function pathsIn(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) return value.forEach((v) => pathsIn(v, into))
  if (value === null || typeof value !== 'object') return
  const o = value as Record<string, unknown>
  if ((o.class === 'File' || o.class === 'Directory') && typeof o.path === 'string') {
    into.add(o.path)
  }
  Object.values(o).forEach((v) => pathsIn(v, into))
}

/** A file's bytes, or a folder's names and contents in order; a missing path says so. */
async function hashTree(h: Hash, p: string): Promise<void> {
  let stat
  try {
    stat = statSync(p)
  } catch {
    h.update('\0missing')
    return
  }
  if (stat.isDirectory()) {
    for (const name of readdirSync(p).sort()) {
      h.update(`\0entry\0${name}\0`)
      await hashTree(h, path.join(p, name))
    }
    return
  }
  h.update(`\0file\0${stat.size}\0`)
  for await (const block of createReadStream(p)) h.update(block as Buffer)
}
