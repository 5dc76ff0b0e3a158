/**
 * Use cases of submitted workflows: read, list, cancel, retry failed tasks, explain a task, read
 * its logs. Submission (parse, validate, expand, store) is in workflow-submission.ts.
 */
import type {
  Page,
  Task,
  TaskExplanation,
  TaskListQuery,
  TaskLogs,
  Workflow,
  WorkflowListQuery,
  WorkflowRetry,
} from '../contract/index.js'
import type { Context } from '../db/index.js'
import {
  ContinuumError,
  decodeCursor,
  encodeCursor,
  isUuid,
  visibleCommunities,
} from '../platform/index.js'
import { executorFor, listComputeSites } from './sites.js'
import type { TaskSpec } from './types.js'
import { cancelTasks, resetTasks } from './task-readiness-store.js'
import {
  countFinished,
  countTasksByState,
  findTaskRow,
  findWorkflowRow,
  insertEventRows,
  listActiveTaskRows,
  listDependencyNames,
  listTaskEvents,
  listTaskRows,
  listWorkflowRows,
  recountWorkflow,
  updateWorkflowRow,
  type TaskRow,
  type WorkflowRow,
} from './workflows-store.js'

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

/** The workflow with this id, or WORKFLOW_NOT_FOUND. */
export async function mustFindWorkflow(db: Context['db'], id: string): Promise<WorkflowRow> {
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

export function toWorkflow(row: WorkflowRow, counts: Record<string, number> | null): Workflow {
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
