/**
 * Stage-in, one engine step: for the tasks this worker holds in `staging`, asks the staging
 * (the data federation) again whether their inputs have reached the chosen site, at most once
 * a second per task. Ready ones move to `submitted` in one transaction and are then submitted;
 * ones that never can be staged fail with the reason.
 */
import type { ComputeCandidate } from './broker.js'
import { submitAll } from './dispatch.js'
import { failForGood } from './task-endings.js'
import { moveTask } from './task-readiness-store.js'
import type { EngineScope, Tracked } from './tracked-task.js'
import { insertEventRows, type NewEvent } from './workflows-store.js'

const recheckMs = 1000
const lastChecked = new WeakMap<Tracked, { at: number; reason: string | null }>()

export async function advanceStaging(
  scope: EngineScope,
  sites: ComputeCandidate[],
): Promise<number> {
  const byName = new Map(sites.map((s) => [s.name, s]))
  const ready: Tracked[] = []
  const failed: Array<{ t: Tracked; reason: string }> = []
  const waiting: Array<{ t: Tracked; reason: string }> = []
  const nowMs = Date.now()
  for (const t of scope.tracked.values()) {
    if (t.state !== 'staging') continue
    const last = lastChecked.get(t)
    if (last && nowMs - last.at < recheckMs) continue
    try {
      const state = await scope.staging.stageIn({
        workflowId: t.workflowId,
        taskName: t.name,
        site: t.site,
        siteName: byName.get(t.site)?.siteName ?? null,
        nearEndpoints: byName.get(t.site)?.nearEndpoints ?? [],
        workdir: t.workdir,
        inputs: t.spec.inputs,
        owner: t.owner,
        community: t.community,
      })
      if (state.ready) ready.push(t)
      else if (last?.reason !== state.reason) waiting.push({ t, reason: state.reason })
      lastChecked.set(t, { at: nowMs, reason: state.ready ? null : state.reason })
    } catch (err) {
      failed.push({ t, reason: `stage-in: ${(err as Error).message}` })
    }
  }
  if (ready.length + failed.length + waiting.length === 0) return 0
  const moved: Tracked[] = []
  await scope.ctx.db.transaction().execute(async (tx) => {
    const now = scope.ctx.clock.now()
    const events: NewEvent[] = []
    for (const { t, reason } of waiting) {
      await moveTask(tx, t.id, ['staging'], { reason, updated_at: now })
    }
    for (const t of ready) {
      const ok = await moveTask(tx, t.id, ['staging'], {
        state: 'submitted',
        reason: null,
        updated_at: now,
      })
      if (!ok) continue
      events.push({
        task_id: t.id,
        at: now,
        from_state: 'staging',
        to_state: 'submitted',
        reason: `inputs staged; attempt ${t.attempt} (${t.attemptId})`,
      })
      moved.push(t)
    }
    for (const { t, reason } of failed) {
      scope.tracked.delete(t.id)
      await failForGood(tx, t.id, t.workflowId, 'staging', reason, events, now)
    }
    await insertEventRows(tx, events)
  })
  for (const t of moved) t.state = 'submitted'
  await submitAll(scope, sites, moved)
  return ready.length + failed.length
}
