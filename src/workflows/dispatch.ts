/**
 * Dispatch, one engine step: claims ready tasks (SKIP LOCKED), finishes cache hits, asks the
 * broker for a site, stages inputs in, commits them as `submitted` with a fresh attempt id and
 * only then submits them to the executors, so a crash in between is reconciled by attempt id.
 */
import { executorFor } from './sites.js'
import type { Context } from '../db/index.js'
import { placeTask, type BrokerOptions, type ComputeCandidate } from './broker.js'
import { localityFrom } from './data-locality.js'
import { isDataIdentifier, needsFederation } from './staging.js'
import { cacheKeyOf } from './cache.js'
import { cachedOutputsReady } from './cwl-reuse.js'
import { prepareCwlTasks } from './cwl-tasks.js'
import {
  claimReadyTasks,
  findCachedTasks,
  setExternalIds,
  type ClaimedTask,
} from './task-leases-store.js'
import { failForGood, finishReleased } from './task-endings.js'
import { moveTask, startTasks, type StartedTask } from './task-readiness-store.js'
import {
  brokerTask,
  jobSpecFor,
  sitesByName,
  toTracked,
  type EngineScope,
  type Tracked,
} from './tracked-task.js'
import type { TaskSpec } from './types.js'
import {
  insertEventRows,
  listDependencyOutputsOf,
  markWorkflowsRunning,
  type NewEvent,
} from './workflows-store.js'

/** How long a task that only a draining site could take waits before it is placed again. */
const drainRecheckMs = 5000

/** Dispatches up to `batch` ready tasks within the sites' free room; returns how many it handled. */
export async function dispatchReady(
  scope: EngineScope,
  sites: ComputeCandidate[],
  batch: number,
): Promise<number> {
  const { ctx } = scope
  const free = new Map<string, number>()
  let room = 0
  for (const s of sites) {
    const n = s.draining ? 0 : Math.max(0, executorFor(s).maxInFlight - s.queued - s.running)
    free.set(s.name, n)
    room += n
  }
  const limit = Math.min(batch, room)
  if (limit <= 0) return 0
  const toSubmit: Tracked[] = []
  const toStage: Tracked[] = []
  const handled = await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now()
    const claimed = await claimReadyTasks(tx, now, limit)
    if (claimed.length === 0) return 0
    const events: NewEvent[] = []
    const started: StartedTask[] = []
    const cachedIds: string[] = []
    // A CWL step's command is built now that its upstream steps' outputs are known.
    const failed = await prepareCwlTasks(tx, claimed, now)
    const rows = claimed.filter((r) => !failed.some((f) => f.row === r))
    const keys = new Map<string, string | null>()
    for (const row of rows) {
      keys.set(row.id, row.no_cache ? null : await cacheKeyOf(row.spec as TaskSpec, row.workdir))
    }
    const hits = await findCached(tx, keys)
    const brokerOptions = await withLocality(scope, { ...ctx, db: tx }, rows)
    for (const row of rows) {
      const spec = row.spec as TaskSpec
      const key = keys.get(row.id) ?? null
      const hit = key === null ? undefined : hits.get(key)
      if (hit && (await cachedOutputsReady(tx, row, spec, hit))) {
        const reason = `cached: same inputs, command and environment as task ${hit.id}`
        await moveTask(tx, row.id, ['ready', 'retrying'], {
          state: 'done',
          cached: true,
          cache_key: key,
          reason,
          finished_at: now,
          updated_at: now,
        })
        events.push({ task_id: row.id, at: now, from_state: row.state, to_state: 'done', reason })
        cachedIds.push(row.id)
        continue
      }
      let placement
      try {
        const task = brokerTask(row, spec, sites)
        placement = placeTask(task, sites, brokerOptions)
        if (placement.site !== null && (free.get(placement.site) ?? 0) <= 0) {
          // The best site is full: take the best one with room, or wait for the next round.
          const open = sites.filter((c) => (free.get(c.name) ?? 0) > 0)
          const second = placeTask(task, open, brokerOptions)
          if (second.site === null) continue
          placement = second
        }
      } catch (err) {
        failed.push({ row, reason: (err as Error).message })
        continue
      }
      if (placement.site === null && placement.wait) {
        await moveTask(tx, row.id, ['ready', 'retrying'], {
          placement: JSON.stringify(placement.decisions),
          reason: `waiting: ${placement.summary}`,
          not_before: new Date(now.getTime() + drainRecheckMs),
          updated_at: now,
        })
        continue
      }
      if (placement.site === null) {
        await moveTask(tx, row.id, ['ready', 'retrying'], {
          placement: JSON.stringify(placement.decisions),
          updated_at: now,
        })
        failed.push({ row, reason: placement.summary })
        continue
      }
      const site = placement.site
      const chosen = sites.find((c) => c.name === site)
      // Later placements in this round see the load this one adds.
      if (chosen) chosen.queued++
      // Inputs from the federation may have to move first: the task waits in `staging`, and
      // stage-in.ts asks again each round, outside this transaction.
      const staged = needsFederation(spec.inputs)
      if (!staged) {
        try {
          await scope.staging.stageIn({
            workflowId: row.workflow_id,
            taskName: row.name,
            site,
            workdir: row.workdir,
            inputs: spec.inputs,
          })
        } catch (err) {
          failed.push({ row, reason: `stage-in: ${(err as Error).message}` })
          continue
        }
      }
      free.set(site, (free.get(site) ?? 0) - 1)
      const attempt = row.attempt + 1
      const attemptId = `${row.id}.${attempt}`
      const state: StartedTask['state'] = staged ? 'staging' : 'submitted'
      started.push({
        id: row.id,
        state,
        site,
        placement: JSON.stringify(placement.decisions),
        attempt,
        attemptId,
        cacheKey: key,
        reason: staged ? 'staging inputs' : null,
      })
      events.push({
        task_id: row.id,
        at: now,
        from_state: row.state,
        to_state: 'placed',
        reason: placement.summary,
      })
      events.push({
        task_id: row.id,
        at: now,
        from_state: 'placed',
        to_state: state,
        reason: staged
          ? 'staging inputs from the data federation'
          : `attempt ${attempt} (${attemptId})`,
      })
      const t = { ...toTracked(row, site, attemptId), attempt, state }
      if (staged) toStage.push(t)
      else toSubmit.push(t)
    }
    await startTasks(tx, started, { by: scope.workerId, until: scope.leaseUntil() }, now)
    await finishReleased(tx, cachedIds, rows, events, now)
    for (const { row, reason } of failed) {
      await failForGood(tx, row.id, row.workflow_id, row.state, reason, events, now)
    }
    await insertEventRows(tx, events)
    await markWorkflowsRunning(tx, [...new Set(claimed.map((r) => r.workflow_id))], now)
    return toSubmit.length + toStage.length + cachedIds.length + failed.length
  })
  for (const t of toStage) scope.tracked.set(t.id, t)
  await submitAll(scope, sites, toSubmit)
  return handled
}

async function findCached(
  tx: Parameters<typeof findCachedTasks>[0],
  keys: Map<string, string | null>,
): Promise<Map<string, { id: string; workflow_id: string }>> {
  return findCachedTasks(
    tx,
    [...keys.values()].filter((k): k is string => k !== null),
  )
}

/** The broker's options with data locality for these tasks' federation inputs, if any. */
async function withLocality(
  scope: EngineScope,
  ctx: Context,
  rows: readonly ClaimedTask[],
): Promise<BrokerOptions> {
  if (scope.brokerOptions.locality || !scope.staging.locate) return scope.brokerOptions
  const dids = rows.flatMap((r) => (r.spec as TaskSpec).inputs.filter(isDataIdentifier))
  if (dids.length === 0) return scope.brokerOptions
  return { ...scope.brokerOptions, locality: localityFrom(await scope.staging.locate(ctx, dids)) }
}

/**
 * Submits committed tasks to their executors — many at once where the executor can (Slurm job
 * arrays) — and records the external ids in one statement.
 */
export async function submitAll(
  scope: EngineScope,
  sites: ComputeCandidate[],
  toSubmit: Tracked[],
): Promise<void> {
  const bySite = sitesByName(sites)
  const groups = new Map<string, Tracked[]>()
  for (const t of toSubmit) {
    scope.tracked.set(t.id, t)
    groups.set(t.site, [...(groups.get(t.site) ?? []), t])
  }
  const recorded: Array<{ id: string; externalId: string }> = []
  // One statement for every task's dependencies, not one per task.
  const outputs = await listDependencyOutputsOf(
    scope.ctx.db,
    toSubmit.filter((t) => t.spec.needs.length > 0).map((t) => t.id),
  )
  for (const [siteName, list] of groups) {
    const site = bySite.get(siteName)
    if (!site) continue
    const executor = executorFor(site)
    try {
      if (executor.submitMany && list.length > 1) {
        const specs = await Promise.all(
          list.map((t) => jobSpecFor(scope, t, site, executor, outputs)),
        )
        const ids = await executor.submitMany(specs)
        for (const t of list) {
          const externalId = ids.get(t.attemptId)
          if (externalId === undefined) continue
          t.externalId = externalId
          recorded.push({ id: t.id, externalId })
        }
        continue
      }
    } catch {
      // Left unrecorded: the next poll finds them by attempt id, or unknown and submits again.
      continue
    }
    for (const t of list) {
      try {
        const { externalId } = await executor.submit(
          await jobSpecFor(scope, t, site, executor, outputs),
        )
        t.externalId = externalId
        recorded.push({ id: t.id, externalId })
      } catch {
        // Left unrecorded: the next poll finds it unknown by attempt id and submits again.
      }
    }
  }
  await setExternalIds(scope.ctx.db, recorded)
}
