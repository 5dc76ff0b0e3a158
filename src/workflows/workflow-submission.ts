/**
 * Submitting a workflow: parse and validate its definition, ask the caller's policies what it
 * reads and writes, expand its scatters into tasks, and store the DAG in one transaction (or,
 * for a dry run, only say what would run).
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Workflow, WorkflowSubmit } from '../contract/index.js'
import { findRecord } from '../catalog/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import { isCwlSubmission, submitCwlWorkflow } from './cwl-submission.js'
import { datasetLister } from './dataset-files.js'
import { parseDefinition } from './definition.js'
import { expandWorkflow, maxTasks } from './expand.js'
import { federationScopes, scatteredScopes, workflowCommunityFor } from './tenancy.js'
import type { TaskSpec } from './types.js'
import { assertWorkdirAllowed, type WorkdirPolicy } from './workdir-policy.js'
import { decodeFiles, writeFiles } from './workflow-files.js'
import { storeSubmittedWorkflow } from './submitted-workflow.js'
import type { NewTaskRow } from './workflows-store.js'

/**
 * What a submission touches, for the caller's policies: the community it runs and is charged
 * for, the federation scopes it reads (inputs, scattered datasets) and writes (outputs).
 */
export interface SubmissionFacts {
  community: string | null
  reads: string[]
  writes: string[]
}

export interface SubmitOptions {
  /**
   * Asked before anything is read from the federation (datasets) and again before anything is
   * stored: throws when the caller may not do this. The API passes the gate's decision.
   */
  authorize?: (facts: SubmissionFacts) => Promise<void>
  /**
   * Where a workflow without a `workdir` runs: `<workflowsRoot>/<workflow id>`, created here.
   * Without it, the submitting process's working directory (the CLI's own use).
   */
  workflowsRoot?: string
  /** Where a client-given `workdir` may be (the API passes the site's policy); absent: anywhere. */
  workdirPolicy?: WorkdirPolicy
}

export async function submitWorkflow(
  ctx: Context,
  input: WorkflowSubmit,
  options: SubmitOptions = {},
): Promise<Workflow> {
  if (isCwlSubmission(input)) return submitCwlWorkflow(ctx, input, options)
  if (input.workdir !== undefined && options.workdirPolicy) {
    assertWorkdirAllowed(input.workdir, options.workdirPolicy)
  }
  if (input.workdir !== undefined && input.files !== undefined) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      'files go into the folder the server makes for the workflow: send files or workdir, not both',
      { field: 'files' },
    )
  }
  // Checked before anything is stored: a bad file refuses the whole submission.
  const files = decodeFiles(input.files ?? [])
  const file = input.filename ?? 'workflow.yaml'
  const { document, source } = parseDefinition(input.source, file)
  const community = await workflowCommunityFor(ctx, document.community ?? null)
  const useCase = document.useCase ?? null
  if (useCase !== null && !(await findRecord(ctx, 'useCase', useCase))) {
    throw new ContinuumError(
      'USE_CASE_NOT_FOUND',
      `${file}: useCase '${useCase}' is not a use case of the landscape`,
      { useCase },
    )
  }
  await options.authorize?.({ community, reads: scatteredScopes(document), writes: [] })
  const listDataset = await datasetLister(ctx, document, maxTasks)
  const plan = expandWorkflow(document, source, {
    ...(input.parameters ? { parameters: input.parameters } : {}),
    ...(listDataset ? { listDataset } : {}),
  })
  await options.authorize?.({ community, ...federationScopes(plan.tasks, plan.outputScope) })
  if (input.dryRun) {
    return dryRunView(plan.name, community, useCase, plan.tasks.length, input, ctx.clock.now())
  }
  const now = ctx.clock.now()
  const workflowId = newId()
  const workdir =
    input.workdir ??
    (options.workflowsRoot ? path.join(options.workflowsRoot, workflowId) : process.cwd())
  if (input.workdir === undefined && options.workflowsRoot) {
    mkdirSync(workdir, { recursive: true })
    writeFiles(workdir, files)
  }
  const ids = new Map(plan.tasks.map((t) => [t.name, newId()]))
  const tasks: NewTaskRow[] = plan.tasks.map((t) => {
    const spec: TaskSpec = {
      group: t.group,
      index: t.index,
      argv: t.argv,
      env: t.env,
      image: t.image,
      environment: t.environment,
      resources: t.resources,
      inputs: t.inputs,
      outputs: t.outputs,
      needs: t.needs,
      retries: t.retries,
      site: t.site,
      exclude: t.exclude,
      cache: t.cache,
    }
    return {
      id: ids.get(t.name) as string,
      workflow_id: workflowId,
      name: t.name,
      state: t.needs.length === 0 ? 'ready' : 'waiting',
      spec: JSON.stringify(spec),
      pending_deps: t.needs.length,
      max_retries: t.retries,
      backoff_s: t.backoffS,
      updated_at: now,
    }
  })
  const edges = plan.tasks.flatMap((t) =>
    t.needs.map((n) => ({ from_task: ids.get(n) as string, to_task: ids.get(t.name) as string })),
  )
  return storeSubmittedWorkflow(
    ctx,
    {
      id: workflowId,
      name: plan.name,
      community,
      owner: ctx.actor.principal,
      state: 'pending',
      workdir,
      no_cache: input.noCache ?? false,
      output_scope: plan.outputScope,
      output_rule: plan.outputRule,
      definition: input.source,
      use_case: useCase,
    },
    tasks,
    edges,
    now,
  )
}

function dryRunView(
  name: string,
  community: string | null,
  useCase: string | null,
  count: number,
  input: WorkflowSubmit,
  now: Date,
): Workflow {
  const at = now.toISOString()
  return {
    id: '00000000-0000-0000-0000-000000000000',
    name,
    community,
    useCase,
    state: 'pending',
    taskCount: count,
    counts: {},
    noCache: input.noCache ?? false,
    workdir: input.workdir ?? process.cwd(),
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  }
}
