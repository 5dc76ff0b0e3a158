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

export interface StartedTask {
  id: string
  state: 'submitted' | 'staging'
  site: string
  placement: string
  attempt: number
  attemptId: string
  cacheKey: string | null
  reason: string | null
}

/**
 * Moves many claimed tasks (ready or retrying, locked by the caller's claim) to `submitted` or
 * `staging` in one statement: the dispatcher's per-task cost is then one row in a VALUES list,
 * not one round trip.
 */
export async function startTasks(
  db: Executor,
  rows: readonly StartedTask[],
  claim: { by: string; until: Date },
  now: Date,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const values = sql.join(
      rows
        .slice(i, i + 500)
        .map(
          (r) =>
            sql`(${r.id}::uuid, ${r.state}::text, ${r.site}::text, ${r.placement}::jsonb, ${r.attempt}::int, ${r.attemptId}::text, ${r.cacheKey}::text, ${r.reason}::text)`,
        ),
    )
    await sql`
      update workflow_tasks t set
        state = v.state, site = v.site, placement = v.placement, attempt = v.attempt,
        attempt_id = v.attempt_id, external_id = null, cache_key = v.cache_key,
        claimed_by = ${claim.by}, claimed_until = ${claim.until}, exit_code = null,
        reason = v.reason, updated_at = ${now}
      from (values ${values}) as v(id, state, site, placement, attempt, attempt_id, cache_key, reason)
      where t.id = v.id and t.state in ('ready', 'retrying')`.execute(db)
  }
}

/** Tasks whose job started: submitted → running, in one statement; returns those moved. */
export async function markRunning(
  db: Executor,
  rows: ReadonlyArray<{ id: string; startedAt: Date; externalId: string | null }>,
  now: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const values = sql.join(
    rows.map((r) => sql`(${r.id}::uuid, ${r.startedAt}::timestamptz, ${r.externalId}::text)`),
  )
  const result = await sql<{ id: string }>`
    update workflow_tasks t set state = 'running', started_at = v.started_at,
      external_id = coalesce(v.external_id, t.external_id), updated_at = ${now}
    from (values ${values}) as v(id, started_at, external_id)
    where t.id = v.id and t.state = 'submitted'
    returning t.id`.execute(db)
  return new Set(result.rows.map((r) => r.id))
}

/** Tasks whose job succeeded: submitted or running → done, in one statement; returns those moved. */
export async function markDone(
  db: Executor,
  rows: ReadonlyArray<{ id: string; exitCode: number | null; startedAt: Date | null }>,
  now: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const values = sql.join(
    rows.map((r) => sql`(${r.id}::uuid, ${r.exitCode}::int, ${r.startedAt}::timestamptz)`),
  )
  const result = await sql<{ id: string }>`
    update workflow_tasks t set state = 'done', exit_code = v.exit_code,
      started_at = coalesce(t.started_at, v.started_at), finished_at = ${now},
      updated_at = ${now}, claimed_by = null, claimed_until = null, reason = null
    from (values ${values}) as v(id, exit_code, started_at)
    where t.id = v.id and t.state in ('submitted', 'running')
    returning t.id`.execute(db)
  return new Set(result.rows.map((r) => r.id))
}
