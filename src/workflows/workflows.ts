/**
 * Use cases of workflows: submit (parse, validate, expand and store the DAG in one
 * transaction), read, list, cancel, retry failed tasks, explain a task, read its logs.
 */
import { assertWorkdirAllowed, type WorkdirPolicy } from './workdir-policy.js'
import type {
  Page,
  Task,
  TaskExplanation,
  TaskListQuery,
  TaskLogs,
  Workflow,
  WorkflowListQuery,
  WorkflowRetry,
  WorkflowSubmit,
} from '../contract/index.js'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { findRecord } from '../catalog/index.js'
import type { Context } from '../db/index.js'
import {
  ContinuumError,
  decodeCursor,
  encodeCursor,
  isUuid,
  newId,
  visibleCommunities,
} from '../platform/index.js'
import { federationScopes, scatteredScopes, workflowCommunityFor } from './tenancy.js'
import { parseDefinition } from './definition.js'
import { datasetLister } from './dataset-files.js'
import { expandWorkflow, maxTasks } from './expand.js'
import { executorFor, listComputeSites } from './sites.js'
import type { TaskSpec } from './types.js'
import { cancelTasks, resetTasks } from './task-readiness-store.js'
import {
  countFinished,
  countTasksByState,
  findTaskRow,
  findWorkflowRow,
  insertEdgeRows,
  insertEventRows,
  insertTaskRows,
  insertWorkflowRow,
  listActiveTaskRows,
  listDependencyNames,
  listTaskEvents,
  listTaskRows,
  listWorkflowRows,
  recountWorkflow,
  updateWorkflowRow,
  type NewTaskRow,
  type TaskRow,
  type WorkflowRow,
} from './workflows-store.js'

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
  if (input.workdir !== undefined && options.workdirPolicy) {
    assertWorkdirAllowed(input.workdir, options.workdirPolicy)
  }
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
  if (input.workdir === undefined && options.workflowsRoot) mkdirSync(workdir, { recursive: true })
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
  return ctx.db.transaction().execute(async (tx) => {
    await insertWorkflowRow(tx, {
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
      tasks_total: tasks.length,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    await insertTaskRows(tx, tasks)
    await insertEdgeRows(tx, edges)
    await insertEventRows(
      tx,
      tasks.map((t) => ({
        task_id: t.id,
        at: now,
        from_state: null,
        to_state: t.state,
        reason: 'submitted',
      })),
    )
    return toWorkflow(await mustFindWorkflow(tx, workflowId), {
      [`ready`]: tasks.filter((t) => t.state === 'ready').length,
      waiting: tasks.filter((t) => t.state === 'waiting').length,
    })
  })
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

export async function getWorkflow(ctx: Context, id: string): Promise<Workflow> {
  const row = await mustFindWorkflow(ctx.db, id)
  return toWorkflow(row, await countTasksByState(ctx.db, row.id))
}

export async function listWorkflows(
  ctx: Context,
  query: WorkflowListQuery = {},
): Promise<Page<Workflow>> {
  const limit = query.limit ?? 50
  const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0]
  const rows = await listWorkflowRows(ctx.db, {
    state: query.state,
    before,
    limit: limit + 1,
    communities: visibleCommunities(ctx.actor),
  })
  const items = rows.slice(0, limit).map((r) => toWorkflow(r, null))
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.id]) : null }
}

export async function listTasks(
  ctx: Context,
  workflowId: string,
  query: TaskListQuery = {},
): Promise<Page<Task>> {
  await mustFindWorkflow(ctx.db, workflowId)
  const limit = query.limit ?? 50
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0]
  const rows = await listTaskRows(ctx.db, workflowId, {
    state: query.state,
    after,
    limit: limit + 1,
  })
  const items = rows.slice(0, limit).map(toTask)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name]) : null }
}

/** Cancels every unfinished task and kills the running jobs; the workflow ends `cancelled`. */
export async function cancelWorkflow(ctx: Context, id: string): Promise<Workflow> {
  const active = await ctx.db.transaction().execute(async (tx) => {
    const wf = await mustFindWorkflow(tx, id)
    if (wf.state !== 'pending' && wf.state !== 'running') {
      throw new ContinuumError(
        'WORKFLOW_STATE_CONFLICT',
        `workflow ${id} has ended (${wf.state}); nothing to cancel`,
        { workflow: id, state: wf.state },
      )
    }
    const now = ctx.clock.now()
    const running = await listActiveTaskRows(tx, id)
    const all = await listTaskRows(tx, id, { limit: 1_000_000 })
    const open = all.filter((t) => !['done', 'failed', 'cancelled'].includes(t.state))
    const cancelled = await cancelTasks(
      tx,
      open.map((t) => t.id),
      'cancelled by user',
      now,
    )
    const stateOf = new Map(open.map((t) => [t.id, t.state]))
    await insertEventRows(
      tx,
      cancelled.map((t) => ({
        task_id: t,
        at: now,
        from_state: stateOf.get(t) ?? null,
        to_state: 'cancelled',
        reason: 'cancelled by user',
      })),
    )
    await updateWorkflowRow(tx, id, { state: 'cancelled', finished_at: now, updated_at: now })
    await countFinished(tx, id, { cancelled: cancelled.length }, now)
    return running
  })
  // Kill what runs now; a worker that watches one of them also cancels it on its next heartbeat.
  const sites = new Map((await listComputeSites(ctx)).map((s) => [s.name, s]))
  for (const t of active) {
    const site = t.site === null ? undefined : sites.get(t.site)
    if (site && t.attempt_id !== null) {
      await executorFor(site)
        .cancel({ attemptId: t.attempt_id, externalId: t.external_id })
        .catch(() => undefined)
    }
  }
  return getWorkflow(ctx, id)
}

/** Runs failed (and the cancelled) tasks again, or only those named; done tasks are kept. */
export async function retryWorkflow(
  ctx: Context,
  id: string,
  input: WorkflowRetry = {},
): Promise<Workflow> {
  await ctx.db.transaction().execute(async (tx) => {
    const wf = await mustFindWorkflow(tx, id)
    if (wf.state === 'pending' || wf.state === 'running' || wf.state === 'succeeded') {
      throw new ContinuumError(
        'WORKFLOW_STATE_CONFLICT',
        `workflow ${id} is ${wf.state}; only failed or cancelled workflows can be retried`,
        { workflow: id, state: wf.state },
      )
    }
    const now = ctx.clock.now()
    const reset = await resetTasks(tx, id, input.tasks ?? null, now)
    if (input.tasks) {
      const found = new Set(
        (await Promise.all(input.tasks.map((n) => findTaskRow(tx, id, n)))).map((r) => r?.name),
      )
      const missing = input.tasks.filter((n) => !found.has(n))
      if (missing.length > 0) {
        throw new ContinuumError(
          'TASK_NOT_FOUND',
          `workflow ${id} has no task ${missing.join(', ')}`,
          { workflow: id, tasks: missing },
        )
      }
    }
    await insertEventRows(
      tx,
      reset.map((r) => ({
        task_id: r.id,
        at: now,
        from_state: r.from,
        to_state: r.to,
        reason: 'retried by user',
      })),
    )
    await recountWorkflow(tx, id)
    await updateWorkflowRow(tx, id, { state: 'running', finished_at: null, updated_at: now })
  })
  return getWorkflow(ctx, id)
}

export async function explainTask(
  ctx: Context,
  workflowId: string,
  task: string,
): Promise<TaskExplanation> {
  const row = await mustFindTask(ctx, workflowId, task)
  const spec = row.spec as TaskSpec
  const events = await listTaskEvents(ctx.db, row.id)
  const workflow = await findWorkflowRow(ctx.db, workflowId)
  return {
    task: toTask(row),
    community: workflow?.community ?? null,
    useCase: workflow?.use_case ?? null,
    command: spec.argv,
    needs: await listDependencyNames(ctx.db, row.id),
    cacheKey: row.cache_key,
    placement: (row.placement as TaskExplanation['placement'] | null) ?? [],
    history: events.map((e) => ({
      at: e.at.toISOString(),
      from: e.from_state,
      to: e.to_state,
      reason: e.reason,
    })),
  }
}

export async function taskLogs(ctx: Context, workflowId: string, task: string): Promise<TaskLogs> {
  const row = await mustFindTask(ctx, workflowId, task)
  const empty = { task: row.name, attempt: row.attempt, stdout: '', stderr: '' }
  if (row.site === null || row.attempt_id === null) return empty
  const site = (await listComputeSites(ctx)).find((s) => s.name === row.site)
  if (!site) return empty
  const logs = await executorFor(site).logs(
    { attemptId: row.attempt_id, externalId: row.external_id },
    256 * 1024,
  )
  return { ...empty, ...logs }
}

async function mustFindWorkflow(db: Context['db'], id: string): Promise<WorkflowRow> {
  const row = isUuid(id) ? await findWorkflowRow(db, id.toLowerCase()) : undefined
  if (!row) {
    throw new ContinuumError('WORKFLOW_NOT_FOUND', `workflow '${id}' not found`, { workflow: id })
  }
  return row
}

async function mustFindTask(ctx: Context, workflowId: string, task: string): Promise<TaskRow> {
  const wf = await mustFindWorkflow(ctx.db, workflowId)
  const row = await findTaskRow(ctx.db, wf.id, task)
  if (!row) {
    throw new ContinuumError('TASK_NOT_FOUND', `workflow ${workflowId} has no task '${task}'`, {
      workflow: workflowId,
      task,
    })
  }
  return row
}

function toWorkflow(row: WorkflowRow, counts: Record<string, number> | null): Workflow {
  return {
    id: row.id,
    name: row.name,
    community: row.community,
    useCase: row.use_case,
    state: row.state as Workflow['state'],
    taskCount: row.tasks_total,
    counts: counts ?? {
      done: row.tasks_done,
      failed: row.tasks_failed,
      cancelled: row.tasks_cancelled,
    },
    noCache: row.no_cache,
    workdir: row.workdir,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  }
}

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    name: row.name,
    state: row.state as Task['state'],
    attempt: row.attempt,
    maxRetries: row.max_retries,
    site: row.site,
    externalId: row.external_id,
    exitCode: row.exit_code,
    reason: row.reason,
    cached: row.cached,
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  }
}
