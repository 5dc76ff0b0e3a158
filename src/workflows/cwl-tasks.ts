/**
 * CWL tasks at dispatch: a CWL step's command depends on its upstream steps' outputs, known only
 * once they ran, so the engine builds it here, as it takes the task off the queue — the
 * upstream folders globbed (their outputs collected once, then kept), the step's inputs merged,
 * `valueFrom` and `when` evaluated (JavaScript only in QuickJS), the command line built by
 * src/cwl, InitialWorkDir's files written for the job to copy in. The task's spec is then
 * stored with that command, its resources (ResourceRequirement) and the files it reads, so the
 * broker places it, the sandbox confines it, and a retry or a takeover after a crash submits
 * exactly that. Values are read through the task's scope (cwl-scopes.ts: nested workflows),
 * a scatter over upstream outputs fans out into element tasks (cwl-fanout.ts), and the spec
 * carries its reuse key (cwl-reuse.ts). After the workflow, `cwlWorkflowOutput` gives its CWL
 * output object.
 */
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import {
  buildStepJob,
  CwlError,
  loadProcessWithin,
  scatterElements,
  shellQuote,
  type ToolJob,
} from '../cwl/index.js'
import type { Executor } from '../db/index.js'
import { stagedName } from './cwl-federation.js'
import { asWorkflow, cwlRecords, readRecord, writeRecord, type CwlPlan } from './cwl-plan.js'
import {
  CwlView,
  qualified,
  resolveScope,
  topScope,
  type CwlRun,
  type StepRecord,
} from './cwl-scopes.js'
import { addFanOutTasks, fanOutSpec } from './cwl-fanout.js'
import { withReuseKey, type Tenancy } from './cwl-reuse.js'
import { updateTaskSpec } from './cwl-tasks-store.js'
import type { ClaimedTask } from './task-leases-store.js'
import type { TaskSpec } from './types.js'

/** Loaded documents, by folder: a busy engine dispatches many tasks of one workflow. */
const loaded = new Map<string, CwlRun>()

function cwlRun(workdir: string): CwlRun {
  const known = loaded.get(workdir)
  if (known) return known
  const plan = readRecord<CwlPlan>(cwlRecords.plan(workdir))
  const process = loadProcessWithin(workdir, path.join(workdir, plan.document))
  const run: CwlRun = {
    workdir,
    plan,
    wf: plan.wrapped ? asWorkflow(process) : process,
    inputs: readRecord<Record<string, unknown>>(cwlRecords.inputs(workdir)),
  }
  if (loaded.size >= 64) loaded.delete(loaded.keys().next().value as string)
  loaded.set(workdir, run)
  return run
}

/**
 * Builds the commands of the CWL tasks among `rows` and stores them in their specs (rows are
 * updated in place). Returns the tasks whose command could not be built, with why.
 */
export async function prepareCwlTasks(
  db: Executor,
  rows: ClaimedTask[],
  now: Date,
): Promise<Array<{ row: ClaimedTask; reason: string }>> {
  const failed: Array<{ row: ClaimedTask; reason: string }> = []
  for (const row of rows) {
    const spec = row.spec as TaskSpec
    if (!spec.cwl) continue
    try {
      const built = await cwlTaskSpec(cwlRun(row.workdir), spec, row)
      row.spec = built
      await updateTaskSpec(db, row.id, built)
      if (built.cwl?.fanout !== undefined && spec.cwl.fanout === undefined) {
        await addFanOutTasks(db, row, spec, built.cwl.fanout, now)
      }
    } catch (err) {
      const kind = err instanceof CwlError ? '' : ' (internal)'
      failed.push({ row, reason: `CWL step${kind}: ${(err as Error).message}` })
    }
  }
  return failed
}

async function cwlTaskSpec(run: CwlRun, spec: TaskSpec, tenancy: Tenancy): Promise<TaskSpec> {
  const ref = spec.cwl!
  const scope = resolveScope(run.wf, ref.scope)
  const step = scope.wf.steps.find((s) => s.id === ref.step)
  if (!step) throw new CwlError('invalid', `no step ${qualified(scope.key, ref.step)}`)
  const raw = await new CwlView(run).sourceValues(scope, step)
  // In a nested workflow `when` skipped: nothing to run, and nothing reads what it would give.
  if (raw === undefined) return skippedTask(run, spec)
  const { combos, dims, method } = scatterElements(step, raw)
  // A scatter over upstream outputs: one task per element, added now that they are known.
  if (ref.fanout !== undefined || (ref.element === null && combos.length >= 2 && dims.length > 0)) {
    return fanOutSpec(run.workdir, spec, ref.fanout ?? combos.length, { dims, method })
  }
  const first = ref.element ?? 0
  const chosen = ref.element === null ? combos : [combos[ref.element] ?? {}]
  const folder = cwlRecords.taskFolder(run.workdir, ref.dir)
  const stage = cwlRecords.stage(run.workdir, ref.dir)
  // A retry starts from fresh records: what the last attempt collected is stale.
  rmSync(cwlRecords.outputs(run.workdir, ref.dir), { force: true })
  rmSync(stage, { recursive: true, force: true })
  // Bound into the job even when no element stages a file (ExpressionTools, skipped steps).
  mkdirSync(stage, { recursive: true })
  const elements: ToolJob[] = []
  for (const [i, scattered] of chosen.entries()) {
    elements.push(
      await buildStepJob(run.wf, step, scattered, {
        outdir: path.join(folder, String(i), 'out'),
        stageDir: path.join(stage, String(i)),
        staging: path.join(stage, 'literals'),
        root: run.workdir,
        outer: scope.outer,
      }),
    )
  }
  writeRecord(cwlRecords.job(run.workdir, ref.dir), {
    dims,
    method,
    first,
    elements,
  } satisfies StepRecord)
  const script = elements
    .map((job, i) => {
      const dir = path.join(folder, String(i))
      const ok = job.successCodes.map((c) => String(Math.trunc(c))).join('|')
      return [
        `mkdir -p ${shellQuote(dir)}`,
        `(${job.script}); c=$?; echo $c > ${shellQuote(path.join(dir, 'exit'))}`,
        `case $c in ${ok}) ;; *) echo "${step.id}: exit code $c" >&2; exit 1;; esac`,
      ].join('\n')
    })
    .join('\n')
  const tools = elements.filter((e) => e.kind === 'tool')
  // Files from the federation are linked in by stage-in, under their names: not there yet.
  const dids = spec.inputs.filter((i) => i.startsWith('did:'))
  const staged = new Set(dids.map(stagedName))
  const timelimit = tools.reduce((sum, e) => sum + e.timelimitS, 0)
  const built: TaskSpec = {
    ...spec,
    argv: ['/bin/sh', '-c', script || 'true'],
    image: tools.find((e) => e.image !== null)?.image ?? spec.image,
    resources: {
      ...spec.resources,
      cores: Math.max(1, ...tools.map((e) => e.cores)),
      memoryMb: Math.max(256, ...tools.map((e) => e.ramMb)),
      walltimeS:
        timelimit > 0 && tools.every((e) => e.timelimitS > 0)
          ? timelimit
          : spec.resources.walltimeS,
    },
    inputs: [
      ...new Set([
        path.relative(run.workdir, stage),
        ...dids,
        ...elements.flatMap((e) => filesIn(e.inputs, run.workdir)).filter((f) => !staged.has(f)),
      ]),
    ],
    outputs: [path.relative(run.workdir, folder)],
  }
  const levels = [step, scope.wf, ...scope.outer]
  return withReuseKey(built, { ...run, tenancy, tool: step.run, levels, elements, stage })
}

/** The workflow's CWL output object, from its finished steps' outputs. */
export async function cwlWorkflowOutput(workdir: string): Promise<Record<string, unknown>> {
  const run = cwlRun(workdir)
  return new CwlView(run).workflowOutputs(topScope(run.wf))
}

function skippedTask(run: CwlRun, spec: TaskSpec): TaskSpec {
  const ref = spec.cwl!
  rmSync(cwlRecords.outputs(run.workdir, ref.dir), { force: true })
  const record: StepRecord = { dims: [], method: 'none', first: 0, elements: [] }
  writeRecord(cwlRecords.job(run.workdir, ref.dir), record)
  return { ...spec, argv: ['true'], inputs: [], outputs: [], cache: false }
}

/** Paths (relative to the folder) of the files and folders a value holds, inside the folder. */
function filesIn(value: unknown, workdir: string): string[] {
  const found: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (v === null || typeof v !== 'object') return
    const o = v as Record<string, unknown>
    if ((o.class === 'File' || o.class === 'Directory') && typeof o.path === 'string') {
      const rel = path.relative(workdir, o.path)
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
        // An upstream task's file: its whole folder (`cwl/<dir>`) is bound once.
        const parts = rel.split('/')
        found.push(parts[0] === 'cwl' && parts.length > 2 ? parts.slice(0, 2).join('/') : rel)
      }
    }
    Object.values(o).forEach(walk)
  }
  walk(value)
  return found
}
