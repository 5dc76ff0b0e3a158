/**
 * Workflows, their tasks, edges and events as stored: inserts at submission, reads for the API,
 * and the per-workflow counters. Every function is set-based, so the engine's work per task
 * finished is proportional to that task's edges, never to the size of the workflow.
 */
import { sql, type Selectable } from 'kysely'
import type { Executor, WorkflowsTable, WorkflowTasksTable } from '../db/index.js'
import { activeStates } from './types.js'

export type WorkflowRow = Selectable<WorkflowsTable>
export type TaskRow = Selectable<WorkflowTasksTable>

export interface NewEvent {
  task_id: string
  at: Date
  from_state: string | null
  to_state: string
  reason: string | null
}

const chunk = 500

export async function inChunks<T>(
  rows: readonly T[],
  write: (part: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await write(rows.slice(i, i + chunk))
}

export async function insertWorkflowRow(
  db: Executor,
  row: Omit<WorkflowRow, 'tasks_done' | 'tasks_failed' | 'tasks_cancelled'>,
): Promise<void> {
  await db.insertInto('workflows').values(row).execute()
}

export interface NewTaskRow {
  id: string
  workflow_id: string
  name: string
  state: string
  spec: string
  pending_deps: number
  max_retries: number
  backoff_s: number
  updated_at: Date
}

export async function insertTaskRows(db: Executor, rows: NewTaskRow[]): Promise<void> {
  await inChunks(rows, (part) => db.insertInto('workflow_tasks').values(part).execute())
}

export async function insertEdgeRows(
  db: Executor,
  rows: Array<{ from_task: string; to_task: string }>,
): Promise<void> {
  await inChunks(rows, (part) => db.insertInto('workflow_task_edges').values(part).execute())
}

export async function insertEventRows(db: Executor, rows: NewEvent[]): Promise<void> {
  await inChunks(rows, (part) => db.insertInto('workflow_task_events').values(part).execute())
}

export async function findWorkflowRow(db: Executor, id: string): Promise<WorkflowRow | undefined> {
  return db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listWorkflowRows(
  db: Executor,
  f: {
    state?: string | undefined
    before?: string | undefined
    limit: number
    /** Only these communities' workflows; undefined: every workflow. */
    communities?: readonly string[] | undefined
  },
): Promise<WorkflowRow[]> {
  let q = db.selectFrom('workflows').selectAll()
  if (f.communities !== undefined) {
    if (f.communities.length === 0) return []
    q = q.where('community', 'in', [...f.communities])
  }
  if (f.state !== undefined) q = q.where('state', '=', f.state)
  if (f.before !== undefined) q = q.where('id', '<', f.before)
  return q.orderBy('id', 'desc').limit(f.limit).execute()
}

export async function countTasksByState(
  db: Executor,
  workflowId: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('workflow_tasks')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workflow_id', '=', workflowId)
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]))
}

export async function listTaskRows(
  db: Executor,
  workflowId: string,
  f: { state?: string | undefined; after?: string | undefined; limit: number },
): Promise<TaskRow[]> {
  let q = db.selectFrom('workflow_tasks').selectAll().where('workflow_id', '=', workflowId)
  if (f.state !== undefined) q = q.where('state', '=', f.state)
  if (f.after !== undefined) q = q.where('name', '>', f.after)
  return q.orderBy('name').limit(f.limit).execute()
}

export async function findTaskRow(
  db: Executor,
  workflowId: string,
  nameOrId: string,
): Promise<TaskRow | undefined> {
  return db
    .selectFrom('workflow_tasks')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where((eb) =>
      /^[0-9a-f-]{36}$/i.test(nameOrId)
        ? eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)])
        : eb('name', '=', nameOrId),
    )
    .executeTakeFirst()
}

export async function listTaskEvents(db: Executor, taskId: string) {
  return db
    .selectFrom('workflow_task_events')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('id')
    .execute()
}

export async function listDependencyNames(db: Executor, taskId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('workflow_task_edges as e')
    .innerJoin('workflow_tasks as t', 't.id', 'e.from_task')
    .select('t.name')
    .where('e.to_task', '=', taskId)
    .orderBy('t.name')
    .execute()
  return rows.map((r) => r.name)
}

/** The outputs its dependencies declared (their specs' `outputs`), for the tasks they feed. */
export async function listDependencyOutputs(db: Executor, taskId: string): Promise<string[]> {
  return (await listDependencyOutputsOf(db, [taskId])).get(taskId) ?? []
}

/** The declared outputs of each task's dependencies, for many tasks in one statement. */
export async function listDependencyOutputsOf(
  db: Executor,
  taskIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (taskIds.length === 0) return out
  const rows = await db
    .selectFrom('workflow_task_edges as e')
    .innerJoin('workflow_tasks as t', 't.id', 'e.from_task')
    .select(['e.to_task', 't.spec'])
    .where('e.to_task', 'in', taskIds)
    .execute()
  for (const r of rows) {
    const outputs = ((r.spec as { outputs?: string[] }).outputs ?? []).map(String)
    out.set(r.to_task, [...(out.get(r.to_task) ?? []), ...outputs])
  }
  return out
}

export async function updateWorkflowRow(
  db: Executor,
  id: string,
  changes: Partial<Omit<WorkflowRow, 'id'>>,
): Promise<void> {
  await db.updateTable('workflows').set(changes).where('id', '=', id).execute()
}

/** Recomputes a workflow's counters from its tasks (after a retry resets some). */
export async function recountWorkflow(db: Executor, id: string): Promise<void> {
  await sql`
    update workflows w set
      tasks_done = (select count(*) from workflow_tasks where workflow_id = w.id and state = 'done'),
      tasks_failed = (select count(*) from workflow_tasks where workflow_id = w.id and state = 'failed'),
      tasks_cancelled = (select count(*) from workflow_tasks where workflow_id = w.id and state = 'cancelled')
    where w.id = ${id}`.execute(db)
}

/** Adds to a workflow's counters and closes it when every task has ended. */
export async function countFinished(
  db: Executor,
  workflowId: string,
  add: { done?: number; failed?: number; cancelled?: number },
  now: Date,
): Promise<void> {
  const done = add.done ?? 0
  const failed = add.failed ?? 0
  const cancelled = add.cancelled ?? 0
  // One statement (SET sees the row as it was, so the new counts are spelled out).
  const ended = sql`state in ('pending', 'running') and tasks_done + ${done} + tasks_failed + ${failed} + tasks_cancelled + ${cancelled} >= tasks_total`
  await sql`
    update workflows set
      tasks_done = tasks_done + ${done},
      tasks_failed = tasks_failed + ${failed},
      tasks_cancelled = tasks_cancelled + ${cancelled},
      updated_at = ${now},
      state = case when ${ended}
        then case when tasks_failed + ${failed} > 0 then 'failed'
                  when tasks_done + ${done} = tasks_total then 'succeeded' else 'cancelled' end
        else state end,
      finished_at = case when ${ended} then ${now} else finished_at end
    where id = ${workflowId}`.execute(db)
}

export async function markWorkflowsRunning(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return
  await db
    .updateTable('workflows')
    .set({ state: 'running', updated_at: now })
    .where('id', 'in', ids)
    .where('state', '=', 'pending')
    .execute()
}

export async function listActiveTaskRows(db: Executor, workflowId: string): Promise<TaskRow[]> {
  return db
    .selectFrom('workflow_tasks')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('state', 'in', activeStates)
    .execute()
}
