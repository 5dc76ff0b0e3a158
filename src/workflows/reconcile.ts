/**
 * Reconciliation, one engine step: asks each site's executor for the status of the tasks this
 * worker watches (one batch query per site), resubmits attempts the batch system never heard
 * of, and records what changed: running, done (stage-out, usage, release dependants), lost
 * (run again without spending a retry), failed (retry with exponential backoff or fail for good).
 */
import type { Executor as Db } from '../db/index.js'
import type { JobStatus } from '../executors/index.js'
import type { ComputeCandidate } from './broker.js'
import { registerCwlOutputs } from './cwl-register.js'
import { executorFor } from './sites.js'
import { failForGood, finishReleased } from './task-endings.js'
import { markDone, markRunning, moveTask } from './task-readiness-store.js'
import { jobSpecFor, refOf, usageRecord, type EngineScope, type Tracked } from './tracked-task.js'
import { insertUsageRows, type NewUsageRecord } from './usage-store.js'
import { insertEventRows, type NewEvent } from './workflows-store.js'

type Update = { t: Tracked; status: JobStatus }

/** Polls the executors for the watched tasks and applies the changes; returns how many changed. */
export async function pollWatched(
  scope: EngineScope,
  sites: Map<string, ComputeCandidate>,
): Promise<number> {
  if (scope.tracked.size === 0) return 0
  const groups = new Map<string, Tracked[]>()
  for (const t of scope.tracked.values()) {
    // Not at the batch system yet: stage-in.ts submits it once its inputs are there.
    if (t.state === 'staging') continue
    const list = groups.get(t.site) ?? []
    list.push(t)
    groups.set(t.site, list)
  }
  const updates: Update[] = []
  for (const [siteName, list] of groups) {
    const site = sites.get(siteName)
    if (!site) continue
    const executor = executorFor(site)
    const statuses = await executor.status(list.map(refOf))
    for (const t of list) {
      const status = statuses.get(t.attemptId)
      if (!status) continue
      if (status.state === 'unknown') {
        // Never reached the batch system (crash between record and submit): submit it now.
        await executor.submit(await jobSpecFor(scope, t, site, executor))
        continue
      }
      if (status.state === 'queued' || (status.state === 'running' && t.state === 'running')) {
        continue
      }
      updates.push({ t, status })
    }
  }
  if (updates.length === 0) return 0
  // Stage-out talks to the federation (its own transactions), so it runs before ours.
  const stageOutFailures = new Map<string, string | null>()
  for (const { t, status } of updates) {
    if (status.state === 'done') stageOutFailures.set(t.id, await stageOut(scope, t, sites))
  }
  await scope.ctx.db
    .transaction()
    .execute(async (tx) => applyStatuses(scope, tx, updates, sites, stageOutFailures))
  return updates.length
}

async function applyStatuses(
  scope: EngineScope,
  tx: Db,
  updates: Update[],
  sites: Map<string, ComputeCandidate>,
  stageOutFailures: Map<string, string | null>,
): Promise<void> {
  const now = scope.ctx.clock.now()
  const events: NewEvent[] = []
  const usage: NewUsageRecord[] = []
  const done: Array<{ id: string; workflow_id: string }> = []
  // The common moves (started, succeeded) are batched: one statement per round, not per task.
  const starting: Update[] = []
  const succeeding: Array<{ t: Tracked; status: JobStatus }> = []
  for (const { t, status } of updates) {
    const from = t.state
    if (status.state === 'running') {
      starting.push({ t, status })
      continue
    }
    scope.tracked.delete(t.id)
    if (status.state === 'lost') {
      // It never ran: run it again under a new attempt without spending a retry.
      if (
        await moveTask(tx, t.id, ['submitted', 'running'], {
          state: 'ready',
          max_retries: t.maxRetries + 1,
          claimed_by: null,
          claimed_until: null,
          updated_at: now,
        })
      ) {
        events.push({
          task_id: t.id,
          at: now,
          from_state: from,
          to_state: 'ready',
          reason: status.reason,
        })
      }
      continue
    }
    const site = sites.get(t.site)
    if (site && status.usage) usage.push(usageRecord(t, site, status, now))
    let failure = status.state === 'failed' ? (status.reason ?? 'failed') : null
    if (failure === null) failure = stageOutFailures.get(t.id) ?? null
    const finished = {
      exit_code: status.exitCode,
      finished_at: now,
      updated_at: now,
      claimed_by: null,
      claimed_until: null,
    }
    if (failure === null) {
      succeeding.push({ t, status })
    } else if (t.attempt <= t.maxRetries) {
      const delayS = Math.min(3600, t.backoffS * 2 ** (t.attempt - 1))
      const retry = {
        ...finished,
        state: 'retrying',
        reason: failure,
        not_before: new Date(now.getTime() + delayS * 1000),
      }
      if (await moveTask(tx, t.id, ['submitted', 'running'], retry)) {
        events.push({
          task_id: t.id,
          at: now,
          from_state: from,
          to_state: 'retrying',
          reason: `${failure}; retry ${t.attempt} of ${t.maxRetries} in ${delayS} s`,
        })
      }
    } else {
      await failForGood(tx, t.id, t.workflowId, from, failure, events, now)
    }
  }
  const running = await markRunning(
    tx,
    starting.map(({ t, status }) => ({
      id: t.id,
      startedAt: status.usage?.startedAt ?? now,
      externalId: status.externalId ?? t.externalId,
    })),
    now,
  )
  for (const { t } of starting) {
    if (!running.has(t.id)) continue
    events.push({
      task_id: t.id,
      at: now,
      from_state: 'submitted',
      to_state: 'running',
      reason: null,
    })
    t.state = 'running'
  }
  const succeeded = await markDone(
    tx,
    succeeding.map(({ t, status }) => ({
      id: t.id,
      exitCode: status.exitCode,
      startedAt: status.usage?.startedAt ?? null,
    })),
    now,
  )
  for (const { t } of succeeding) {
    if (!succeeded.has(t.id)) continue
    events.push({ task_id: t.id, at: now, from_state: t.state, to_state: 'done', reason: null })
    done.push({ id: t.id, workflow_id: t.workflowId })
  }
  await insertUsageRows(tx, usage)
  await finishReleased(
    tx,
    done.map((d) => d.id),
    done,
    events,
    now,
  )
  await insertEventRows(tx, events)
}

/** Uploads and registers a finished task's outputs; the failure reason, or null. */
async function stageOut(
  scope: EngineScope,
  t: Tracked,
  sites: Map<string, ComputeCandidate>,
): Promise<string | null> {
  try {
    // A CWL workflow's last task registers its output files into the federation.
    if (t.spec.cwlRegister) {
      await registerCwlOutputs(scope.ctx, t, sites)
      return null
    }
    await scope.staging.stageOut({
      workflowId: t.workflowId,
      taskName: t.name,
      site: t.site,
      siteName: sites.get(t.site)?.siteName ?? null,
      nearEndpoints: sites.get(t.site)?.nearEndpoints ?? [],
      workdir: t.workdir,
      inputs: t.spec.inputs,
      outputs: t.spec.outputs,
      scope: t.outputScope,
      rule: t.outputRule,
      owner: t.owner,
      community: t.community,
    })
    return null
  } catch (err) {
    return `stage-out: ${(err as Error).message}`
  }
}
