/**
 * Stores a submitted workflow in one transaction — its row, its tasks, their edges and each
 * task's first event — and answers with it. Shared by the YAML and the CWL submissions, which
 * differ only in how they make the tasks.
 */
import type { Workflow } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { mustFindWorkflow, toWorkflow } from './workflows.js'
import {
  insertEdgeRows,
  insertEventRows,
  insertTaskRows,
  insertWorkflowRow,
  type NewTaskRow,
  type WorkflowRow,
} from './workflows-store.js'

export type SubmittedWorkflowRow = Omit<
  WorkflowRow,
  | 'tasks_done'
  | 'tasks_failed'
  | 'tasks_cancelled'
  | 'tasks_total'
  | 'created_at'
  | 'updated_at'
  | 'finished_at'
>

export async function storeSubmittedWorkflow(
  ctx: Context,
  row: SubmittedWorkflowRow,
  tasks: NewTaskRow[],
  edges: Array<{ from_task: string; to_task: string }>,
  now: Date,
): Promise<Workflow> {
  return ctx.db.transaction().execute(async (tx) => {
    await insertWorkflowRow(tx, {
      ...row,
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
    return toWorkflow(await mustFindWorkflow(tx, row.id), {
      ready: tasks.filter((t) => t.state === 'ready').length,
      waiting: tasks.filter((t) => t.state === 'waiting').length,
    })
  })
}
