/**
 * Submitting a CWL document (issue 19): the bundle — the document, the files it names (other
 * documents, input data) and its input object — is written into the folder the server makes
 * for the workflow; the document is loaded from there (no file outside it read), checked for
 * what the engine runs, its inputs checked against their types, and its steps stored as tasks
 * (cwl-plan.ts) in one transaction. Anything wrong: a clear error, the folder removed, nothing
 * stored.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Workflow, WorkflowSubmit } from '../contract/index.js'
import {
  assertFilesWithin,
  CwlError,
  evaluatorFor,
  loadProcessWithin,
  parseLenient,
  prepareInputs,
  type Process,
} from '../cwl/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import { federationReads, resolveFederationFiles, taskDids } from './cwl-federation.js'
import { planCwlTasks, type FlatPlan } from './cwl-flatten.js'
import { asWorkflow, cwlRecords, engineRefusal, writeRecord } from './cwl-plan.js'
import {
  checkRegistration,
  registerTask,
  registrationRecord,
  type Registration,
} from './cwl-register.js'
import { maxTasks } from './expand.js'
import { workflowCommunityFor } from './tenancy.js'
import type { TaskSpec } from './types.js'
import { decodeFiles, writeFiles } from './workflow-files.js'
import { storeSubmittedWorkflow } from './submitted-workflow.js'
import type { NewTaskRow } from './workflows-store.js'

/** A `.cwl` file, or a document with a top-level `cwlVersion`. */
export function isCwlSubmission(input: WorkflowSubmit): boolean {
  const file = (input.filename ?? '').replace(/#.*$/, '')
  return (
    file.endsWith('.cwl') ||
    input.cwlJob !== undefined ||
    /^cwlVersion\s*:/m.test(input.source) ||
    /^\s*\{[\s\S]*"cwlVersion"\s*:/.test(input.source)
  )
}

const defaultResources = { cores: 1, memoryMb: 1024, walltimeS: 3600 }

export async function submitCwlWorkflow(
  ctx: Context,
  input: WorkflowSubmit,
  options: {
    authorize?: (facts: {
      community: string | null
      reads: string[]
      writes: string[]
    }) => Promise<void>
    workflowsRoot?: string
  },
): Promise<Workflow> {
  if (input.workdir !== undefined || !options.workflowsRoot) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      'a CWL document runs in a folder the server makes: send its files, not a workdir',
      { field: input.workdir === undefined ? 'source' : 'workdir' },
    )
  }
  const files = decodeFiles(input.files ?? [])
  const [file, fragment] = (input.filename ?? 'workflow.cwl').split('#') as [string, string?]
  // The main document: one of the files sent (a multi-file bundle), else written by its name.
  const main = files.some((f) => f.path === file) ? file : path.basename(file)
  const community = await workflowCommunityFor(ctx, null)
  const register = checkRegistration(input.cwlRegisterOutputs)
  const writes = register ? [register.scope] : []
  await options.authorize?.({ community, reads: [], writes })
  const workflowId = newId()
  const workdir = path.join(options.workflowsRoot, workflowId)
  mkdirSync(workdir, { recursive: true })
  try {
    writeFiles(workdir, files)
    if (!files.some((f) => f.path === main)) writeFileSync(path.join(workdir, main), input.source)
    const document = fragment ? `${main}#${fragment}` : main
    const { wf, inputs, wrapped } = await loadBundle(
      workdir,
      document,
      input.cwlJob ?? '{}',
      async (process, job) => {
        // Files from the federation: the caller must be allowed to read their scopes, and
        // then they must exist.
        const reads = federationReads(process, job)
        if (reads.length > 0) await options.authorize?.({ community, reads, writes })
        return resolveFederationFiles(ctx, process, job, workdir, maxTasks)
      },
    )
    const plan = await planCwlTasks(wf, inputs, workdir)
    writeRecord(cwlRecords.plan(workdir), {
      document,
      wrapped,
      steps: plan.steps,
    })
    writeRecord(cwlRecords.inputs(workdir), inputs)
    if (register) writeRecord(registrationRecord(workdir), register)
    if (input.dryRun) return view(workflowId, wf, community, plan.tasks.length, workdir, ctx, input)
    return await store(ctx, input, { workflowId, workdir, community, wf, plan, inputs, register })
  } catch (err) {
    rmSync(workdir, { recursive: true, force: true })
    throw asContinuumError(err, main)
  } finally {
    if (input.dryRun) rmSync(workdir, { recursive: true, force: true })
  }
}

/** The process and its prepared inputs, or a CwlError saying what is wrong. */
async function loadBundle(
  workdir: string,
  document: string,
  jobText: string,
  federation: (process: Process, job: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<{ wf: Process; inputs: Record<string, unknown>; wrapped: boolean }> {
  const process = loadProcessWithin(workdir, path.join(workdir, document))
  let job: unknown
  try {
    job = parseLenient(jobText)
  } catch (err) {
    throw new CwlError('invalid', `the input object: ${(err as Error).message.split('\n')[0]}`)
  }
  if (job === null || job === undefined) job = {}
  if (typeof job !== 'object' || Array.isArray(job)) {
    throw new CwlError('invalid', 'the input object must be a map')
  }
  const wf = asWorkflow(process)
  const refusal = engineRefusal(wf)
  if (refusal) throw new CwlError('unsupported', refusal)
  const resolved = await federation(process, job as Record<string, unknown>)
  const inputs = prepareInputs(process, resolved, {
    baseDir: workdir,
    staging: cwlRecords.literals(workdir),
    outer: [],
    js: await evaluatorFor(process),
    discoverSecondary: true,
  })
  assertFilesWithin(inputs, workdir)
  return { wf, inputs, wrapped: process.class !== 'Workflow' }
}

function asContinuumError(err: unknown, file: string): unknown {
  if (err instanceof ContinuumError || !(err instanceof CwlError)) return err
  if (err.kind === 'unsupported') {
    return new ContinuumError('CWL_UNSUPPORTED', `${file}: ${err.message}`, { file })
  }
  return new ContinuumError('WORKFLOW_INVALID', `CWL document ${file} is invalid: ${err.message}`, {
    file,
    errors: [{ field: file, message: err.message, file, line: null, column: null, path: '' }],
  })
}

async function store(
  ctx: Context,
  input: WorkflowSubmit,
  w: {
    workflowId: string
    workdir: string
    community: string | null
    wf: Process
    plan: FlatPlan
    inputs: Record<string, unknown>
    register: Registration | null
  },
): Promise<Workflow> {
  const now = ctx.clock.now()
  const ids = new Map(w.plan.tasks.map((t) => [t.name, newId()]))
  const tasks: NewTaskRow[] = w.plan.tasks.map((t) => {
    const spec: TaskSpec = {
      group: t.step,
      index: t.element,
      argv: ['true'],
      env: {},
      image: null,
      environment: null,
      resources: { ...defaultResources, accelerators: null },
      // Files from the federation this task reads: the broker weighs where they are.
      // A task inside a nested workflow reads what its top-level step passed in.
      inputs: taskDids(
        w.wf.steps.find((s) => s.id === (t.scope[0]?.step ?? t.step))!,
        w.inputs,
        t.scope[0] ? t.scope[0].element : t.element,
      ),
      outputs: [],
      needs: t.needs,
      retries: 0,
      site: null,
      exclude: null,
      // Built at dispatch, and its reuse key with it (cwl-reuse.ts).
      cache: false,
      cwl: {
        step: t.step,
        element: t.element,
        dir: t.dir,
        ...(t.scope.length > 0 ? { scope: t.scope } : {}),
      },
    }
    return {
      id: ids.get(t.name) as string,
      workflow_id: w.workflowId,
      name: t.name,
      state: t.needs.length === 0 ? 'ready' : 'waiting',
      spec: JSON.stringify(spec),
      pending_deps: t.needs.length,
      max_retries: 0,
      backoff_s: 0,
      updated_at: now,
    }
  })
  if (w.register) {
    const last = registerTask(w.plan.tasks.map((t) => t.name))
    ids.set(last.name, newId())
    tasks.push({
      id: ids.get(last.name) as string,
      workflow_id: w.workflowId,
      name: last.name,
      state: last.needs.length === 0 ? 'ready' : 'waiting',
      spec: JSON.stringify(last.spec),
      pending_deps: last.needs.length,
      max_retries: 0,
      backoff_s: 0,
      updated_at: now,
    })
    w.plan.tasks.push({ ...last, step: '', element: null, dir: '', scope: [] })
  }
  const edges = w.plan.tasks.flatMap((t) =>
    t.needs.map((n) => ({ from_task: ids.get(n) as string, to_task: ids.get(t.name) as string })),
  )
  return storeSubmittedWorkflow(
    ctx,
    {
      id: w.workflowId,
      name: nameOf(w.wf),
      community: w.community,
      owner: ctx.actor.principal,
      state: 'pending',
      workdir: w.workdir,
      no_cache: input.noCache ?? false,
      output_scope: w.register?.scope ?? null,
      output_rule: w.register?.rule ?? null,
      definition: input.source,
      use_case: null,
    },
    tasks,
    edges,
    now,
  )
}

function nameOf(wf: Process): string {
  const label = typeof wf.raw.label === 'string' ? wf.raw.label : ''
  return (label || wf.id || 'cwl').replace(/^.*[#/]/, '').slice(0, 100) || 'cwl'
}

function view(
  id: string,
  wf: Process,
  community: string | null,
  count: number,
  workdir: string,
  ctx: Context,
  input: WorkflowSubmit,
): Workflow {
  const at = ctx.clock.now().toISOString()
  return {
    id,
    name: nameOf(wf),
    community,
    useCase: null,
    state: 'pending',
    taskCount: count,
    counts: {},
    noCache: input.noCache ?? false,
    workdir,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  }
}
