/**
 * The only code that reads and writes workflows, workflow_tasks, workflow_task_edges and
 * workflow_task_events. Every function is set-based, so the engine's work per task finished is
 * proportional to that task's edges, never to the size of the workflow.
 */
import { sql, type Insertable, type Selectable } from 'kysely'
import type {
  Executor,
  UsageRecordsTable,
  WorkflowsTable,
  WorkflowTasksTable,
} from '../db/index.js'
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

async function inChunks<T>(
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
  f: { state?: string | undefined; before?: string | undefined; limit: number },
): Promise<WorkflowRow[]> {
  let q = db.selectFrom('workflows').selectAll()
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

export type ClaimedTask = TaskRow & {
  community: string | null
  owner: string | null
  workdir: string
  no_cache: boolean
}

/** Takes ready tasks (and retrying ones past their backoff) off the queue, skipping locked rows. */
export async function claimReadyTasks(
  db: Executor,
  now: Date,
  limit: number,
): Promise<ClaimedTask[]> {
  const result = await sql<ClaimedTask>`
    select t.*, w.community, w.owner, w.workdir, w.no_cache
    from workflow_tasks t join workflows w on w.id = t.workflow_id
    where t.id in (
      select id from workflow_tasks
      where state in ('ready', 'retrying') and (not_before is null or not_before <= ${now})
      -- No ORDER BY: sorting every ready task each round would make dispatch O(n) per round.
      limit ${limit}
      for update skip locked)
    for update of t skip locked`.execute(db)
  return result.rows
}

/** Leases active tasks whose lease ran out (their worker died) to `workerId`. */
export async function claimOrphanedTasks(
  db: Executor,
  workerId: string,
  now: Date,
  until: Date,
  limit: number,
): Promise<ClaimedTask[]> {
  const result = await sql<ClaimedTask>`
    with orphans as (
      select id from workflow_tasks
      where state in ('placed', 'staging', 'submitted', 'running') and (claimed_until is null or claimed_until < ${now})
      limit ${limit}
      for update skip locked)
    update workflow_tasks t set claimed_by = ${workerId}, claimed_until = ${until}
    from orphans o, workflows w
    where t.id = o.id and w.id = t.workflow_id
    returning t.*, w.community, w.owner, w.workdir, w.no_cache`.execute(db)
  return result.rows
}

/** Extends the leases this worker holds; answers with the ids still active (others were cancelled). */
export async function renewLeases(
  db: Executor,
  workerId: string,
  ids: string[],
  until: Date,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .updateTable('workflow_tasks')
    .set({ claimed_until: until })
    .where('claimed_by', '=', workerId)
    .where('id', 'in', ids)
    .where('state', 'in', activeStates)
    .returning('id')
    .execute()
  return new Set(rows.map((r) => r.id))
}

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

/** Adds to a workflow's counters and closes it when every task has ended. */
export async function countFinished(
  db: Executor,
  workflowId: string,
  add: { done?: number; failed?: number; cancelled?: number },
  now: Date,
): Promise<void> {
  await sql`
    update workflows set
      tasks_done = tasks_done + ${add.done ?? 0},
      tasks_failed = tasks_failed + ${add.failed ?? 0},
      tasks_cancelled = tasks_cancelled + ${add.cancelled ?? 0},
      updated_at = ${now}
    where id = ${workflowId}`.execute(db)
  await sql`
    update workflows set
      state = case when tasks_failed > 0 then 'failed' when tasks_done = tasks_total then 'succeeded' else 'cancelled' end,
      finished_at = ${now}
    where id = ${workflowId} and state in ('pending', 'running') and tasks_done + tasks_failed + tasks_cancelled >= tasks_total`.execute(
    db,
  )
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

/** Completed tasks with these cache keys, with the outputs they produced. */
export async function findCachedTasks(
  db: Executor,
  keys: string[],
): Promise<Map<string, { id: string; workflow_id: string }>> {
  if (keys.length === 0) return new Map()
  const rows = await db
    .selectFrom('workflow_tasks')
    .select(['id', 'workflow_id', 'cache_key'])
    .where('state', '=', 'done')
    .where('cache_key', 'in', keys)
    .execute()
  return new Map(rows.map((r) => [r.cache_key as string, { id: r.id, workflow_id: r.workflow_id }]))
}

/** Tasks in flight per site: the broker's load figure. */
export async function countActiveBySite(
  db: Executor,
): Promise<Map<string, { queued: number; running: number }>> {
  const rows = await db
    .selectFrom('workflow_tasks')
    .select(['site', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', activeStates)
    .groupBy(['site', 'state'])
    .execute()
  const out = new Map<string, { queued: number; running: number }>()
  for (const r of rows) {
    if (r.site === null) continue
    const entry = out.get(r.site) ?? { queued: 0, running: 0 }
    if (r.state === 'running') entry.running += Number(r.n)
    else entry.queued += Number(r.n)
    out.set(r.site, entry)
  }
  return out
}

export async function listActiveTaskRows(db: Executor, workflowId: string): Promise<TaskRow[]> {
  return db
    .selectFrom('workflow_tasks')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('state', 'in', activeStates)
    .execute()
}

/** Records the batch system's job ids of many tasks in one statement. */
export async function setExternalIds(
  db: Executor,
  pairs: Array<{ id: string; externalId: string }>,
): Promise<void> {
  await inChunks(pairs, async (part) => {
    const values = sql.join(part.map((p) => sql`(${p.id}::uuid, ${p.externalId})`))
    await sql`update workflow_tasks t set external_id = v.ext from (values ${values}) as v(id, ext) where t.id = v.id`.execute(
      db,
    )
  })
}

export async function listTaskStates(
  db: Executor,
  ids: string[],
): Promise<Array<{ id: string; state: string; claimed_by: string | null }>> {
  if (ids.length === 0) return []
  return db
    .selectFrom('workflow_tasks')
    .select(['id', 'state', 'claimed_by'])
    .where('id', 'in', ids)
    .execute()
}

export type NewUsageRecord = Insertable<UsageRecordsTable>

export async function insertUsageRows(db: Executor, rows: NewUsageRecord[]): Promise<void> {
  await inChunks(rows, (part) =>
    db
      .insertInto('usage_records')
      .values(part)
      .onConflict((oc) => oc.columns(['task_id', 'attempt']).doNothing())
      .execute(),
  )
}
