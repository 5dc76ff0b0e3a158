/**
 * How tasks end, inside the caller's transaction: a finished task releases its dependants and
 * counts towards its workflow; a task failed for good cancels everything downstream of it.
 */
import type { Executor } from '../db/index.js'
import {
  cancelTasks,
  listWaitingDependants,
  moveTask,
  releaseDependants,
} from './task-readiness-store.js'
import { countFinished, type NewEvent } from './workflows-store.js'

/** Counts `doneIds` as done and readies their dependants. */
export async function finishReleased(
  tx: Executor,
  doneIds: string[],
  rows: Array<{ id: string; workflow_id: string }>,
  events: NewEvent[],
  now: Date,
): Promise<void> {
  if (doneIds.length === 0) return
  const released = await releaseDependants(tx, doneIds, now)
  for (const id of released) {
    events.push({
      task_id: id,
      at: now,
      from_state: 'waiting',
      to_state: 'ready',
      reason: 'inputs ready',
    })
  }
  const perWorkflow = new Map<string, number>()
  const workflowOf = new Map(rows.map((r) => [r.id, r.workflow_id]))
  for (const id of doneIds) {
    const w = workflowOf.get(id)
    if (w !== undefined) perWorkflow.set(w, (perWorkflow.get(w) ?? 0) + 1)
  }
  for (const [w, n] of perWorkflow) await countFinished(tx, w, { done: n }, now)
}

/** Marks a task failed for good and cancels everything downstream of it. */
export async function failForGood(
  tx: Executor,
  id: string,
  workflowId: string,
  from: string,
  reason: string,
  events: NewEvent[],
  now: Date,
): Promise<void> {
  const moved = await moveTask(tx, id, [from], {
    state: 'failed',
    reason,
    finished_at: now,
    updated_at: now,
    claimed_by: null,
    claimed_until: null,
  })
  if (!moved) return
  events.push({ task_id: id, at: now, from_state: from, to_state: 'failed', reason })
  let frontier = [id]
  let cancelled = 0
  while (frontier.length > 0) {
    const next = await cancelTasks(
      tx,
      await listWaitingDependants(tx, frontier),
      `upstream task failed`,
      now,
    )
    for (const t of next) {
      events.push({
        task_id: t,
        at: now,
        from_state: 'waiting',
        to_state: 'cancelled',
        reason: 'upstream task failed',
      })
    }
    cancelled += next.length
    frontier = next
  }
  await countFinished(tx, workflowId, { failed: 1, cancelled }, now)
}
