/**
 * Claiming work in workflow_tasks: ready tasks and orphaned ones (lease ran out) taken with
 * FOR UPDATE SKIP LOCKED, leases renewed by heartbeat, external job ids recorded, and the load
 * and cache look-ups the dispatcher needs.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/index.js'
import { activeStates } from './types.js'
import { inChunks, type TaskRow } from './workflows-store.js'

export type ClaimedTask = TaskRow & {
  community: string | null
  owner: string | null
  workdir: string
  no_cache: boolean
  output_scope: string | null
  output_rule: string | null
}

/** Takes ready tasks (and retrying ones past their backoff) off the queue, skipping locked rows. */
export async function claimReadyTasks(
  db: Executor,
  now: Date,
  limit: number,
): Promise<ClaimedTask[]> {
  const result = await sql<ClaimedTask>`
    select t.*, w.community, w.owner, w.workdir, w.no_cache, w.output_scope, w.output_rule
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
    returning t.*, w.community, w.owner, w.workdir, w.no_cache, w.output_scope, w.output_rule`.execute(
    db,
  )
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

/** The workers holding leases on active tasks now. */
export async function listTaskClaimants(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('workflow_tasks')
    .select('claimed_by')
    .distinct()
    .where('state', 'in', [...activeStates])
    .where('claimed_by', 'is not', null)
    .execute()
  return rows.map((r) => r.claimed_by!)
}

/** Ends the leases of these workers now: the next engine round takes their tasks over. */
export async function endTaskLeasesOf(
  db: Executor,
  workers: readonly string[],
  now: Date,
): Promise<number> {
  if (workers.length === 0) return 0
  const result = await db
    .updateTable('workflow_tasks')
    .set({ claimed_until: new Date(now.getTime() - 1) })
    .where('state', 'in', [...activeStates])
    .where('claimed_by', 'in', workers)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
