/**
 * The writes CWL tasks need besides the engine's: the spec built at dispatch (cwl-tasks.ts),
 * and the element tasks a scatter over upstream outputs fans out into (cwl-fanout.ts).
 */
import type { Executor } from '../db/index.js'
import type { TaskSpec } from './types.js'
import { insertEdgeRows, insertTaskRows, type NewTaskRow } from './workflows-store.js'

export async function updateTaskSpec(db: Executor, id: string, spec: TaskSpec): Promise<void> {
  await db
    .updateTable('workflow_tasks')
    .set({ spec: JSON.stringify(spec) })
    .where('id', '=', id)
    .execute()
}

/**
 * Adds tasks to a running workflow beside `parent` (cwl-fanout.ts): each becomes a dependency
 * of every task `parent` releases, and counts towards the workflow's total.
 */
export async function addTasksBeside(
  db: Executor,
  parent: { id: string; workflow_id: string },
  rows: NewTaskRow[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return
  const dependants = (
    await db
      .selectFrom('workflow_task_edges')
      .select('to_task')
      .where('from_task', '=', parent.id)
      .execute()
  ).map((e) => e.to_task)
  await insertTaskRows(db, rows)
  await insertEdgeRows(
    db,
    rows.flatMap((r) => dependants.map((to) => ({ from_task: r.id, to_task: to }))),
  )
  if (dependants.length > 0) {
    await db
      .updateTable('workflow_tasks')
      .set((eb) => ({ pending_deps: eb('pending_deps', '+', rows.length) }))
      .where('id', 'in', dependants)
      .execute()
  }
  await db
    .updateTable('workflows')
    .set((eb) => ({ tasks_total: eb('tasks_total', '+', rows.length), updated_at: now }))
    .where('id', '=', parent.workflow_id)
    .execute()
}
