/**
 * Task state changes in workflow_tasks: guarded moves (only from the expected states),
 * incremental readiness (a finished task releases its dependants), cancellation downstream and
 * resetting failed tasks for a retry.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/index.js'
import type { TaskRow } from './workflows-store.js'

export type TaskChanges = Partial<
  Omit<TaskRow, 'id' | 'workflow_id' | 'name' | 'spec' | 'placement'>
> & { placement?: string | null }

/** Moves a task only if it is still in one of `from`; returns whether it moved. */
export async function moveTask(
  db: Executor,
  id: string,
  from: readonly string[],
  changes: TaskChanges,
): Promise<boolean> {
  const r = await db
    .updateTable('workflow_tasks')
    .set(changes)
    .where('id', '=', id)
    .where('state', 'in', from)
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Subtracts finished dependencies from dependants; returns those now free to run. */
export async function releaseDependants(
  db: Executor,
  finishedIds: string[],
  now: Date,
): Promise<string[]> {
  if (finishedIds.length === 0) return []
  // One UPDATE: PostgreSQL applies only one change per row and statement.
  const result = await sql<{ id: string; state: string; pending_deps: number }>`
    with counts as (
      select to_task, count(*)::int as n from workflow_task_edges where from_task in (${sql.join(finishedIds)}) group by to_task)
    update workflow_tasks t set
      pending_deps = t.pending_deps - c.n,
      state = case when t.pending_deps - c.n = 0 and t.state = 'waiting' then 'ready' else t.state end,
      updated_at = ${now}
    from counts c where t.id = c.to_task
    returning t.id, t.state, t.pending_deps`.execute(db)
  return result.rows
    .filter((r) => r.state === 'ready' && Number(r.pending_deps) === 0)
    .map((r) => r.id)
}

/** Direct dependants of `ids` that are still waiting. */
export async function listWaitingDependants(db: Executor, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('workflow_task_edges as e')
    .innerJoin('workflow_tasks as t', 't.id', 'e.to_task')
    .select('t.id')
    .distinct()
    .where('e.from_task', 'in', ids)
    .where('t.state', '=', 'waiting')
    .execute()
  return rows.map((r) => r.id)
}

export async function cancelTasks(
  db: Executor,
  ids: string[],
  reason: string,
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .updateTable('workflow_tasks')
    .set({
      state: 'cancelled',
      reason,
      finished_at: now,
      updated_at: now,
      claimed_by: null,
      claimed_until: null,
    })
    .where('id', 'in', ids)
    .where('state', 'not in', ['done', 'failed', 'cancelled'])
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}

/** Puts failed and cancelled tasks of a workflow back: ready when their inputs are done, else waiting. */
export async function resetTasks(
  db: Executor,
  workflowId: string,
  names: string[] | null,
  now: Date,
): Promise<Array<{ id: string; from: string; to: string }>> {
  const only = names === null ? sql`true` : sql`t.name in (${sql.join(names)})`
  const result = await sql<{ id: string; from: string; to: string }>`
    with picked as (
      select t.id, t.state as from_state,
        (select count(*) from workflow_task_edges e join workflow_tasks f on f.id = e.from_task
          where e.to_task = t.id and f.state <> 'done')::int as deps
      from workflow_tasks t
      where t.workflow_id = ${workflowId} and t.state in ('failed', 'cancelled') and ${only}
      for update of t)
    update workflow_tasks t set
      state = case when p.deps = 0 then 'ready' else 'waiting' end,
      pending_deps = p.deps, max_retries = t.attempt + (t.spec->>'retries')::int,
      not_before = null, reason = null, exit_code = null, finished_at = null, updated_at = ${now}
    from picked p where t.id = p.id
    returning t.id, p.from_state as "from", t.state as "to"`.execute(db)
  return result.rows
}
