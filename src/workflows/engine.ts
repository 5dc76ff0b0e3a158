/**
 * The workflow engine, run by `continuum worker` as the agent `workflows.engine`. Each round:
 *   1. takes over active tasks whose lease ran out (their worker died) and reconciles them
 *      with the batch system by attempt id, so nothing runs twice;
 *   2. dispatches ready tasks: broker → cache → stage-in → `submitted` (committed) → submit;
 *   3. polls the executors in batches and finishes tasks: done releases dependants, failures
 *      retry with exponential backoff or fail and cancel what depended on them;
 *   4. renews its leases (heartbeat) and kills the jobs of tasks cancelled meanwhile.
 */
import type { Context } from '../db/index.js'
import type { Executor, JobRef, JobSpec, JobStatus } from '../executors/index.js'
import type { Agent } from '../platform/index.js'
import {
  placeTask,
  type CandidateProvider,
  type ComputeCandidate,
  type LocalityEstimator,
  type UsePredicate,
} from './broker.js'
import { cacheKeyOf, outputsExist } from './cache.js'
import { matchSites } from './site-expression.js'
import { computeSitesProvider, executorFor } from './sites.js'
import { LocalFileStaging, type Staging } from './staging.js'
import type { TaskSpec } from './types.js'
import {
  cancelTasks,
  claimOrphanedTasks,
  claimReadyTasks,
  countFinished,
  findCachedTasks,
  insertEventRows,
  insertUsageRows,
  listTaskStates,
  listWaitingDependants,
  markWorkflowsRunning,
  moveTask,
  releaseDependants,
  renewLeases,
  setExternalIds,
  type ClaimedTask,
  type NewEvent,
  type NewUsageRecord,
} from './workflows-store.js'
import type { Transaction } from 'kysely'
import type { DB } from '../db/index.js'

export interface EngineOptions {
  /** Identifies this process in `claimed_by`. */
  workerId: string
  provider?: CandidateProvider
  mayUse?: UsePredicate
  locality?: LocalityEstimator
  staging?: Staging
  /** Lease length; a worker silent this long loses its tasks to another. */
  leaseMs?: number
  /** Most tasks dispatched per round. */
  batch?: number
  idleMs?: number
}

interface Tracked {
  id: string
  workflowId: string
  name: string
  state: string
  attempt: number
  maxRetries: number
  backoffS: number
  attemptId: string
  externalId: string | null
  site: string
  spec: TaskSpec
  community: string | null
  owner: string | null
  workdir: string
}

export class WorkflowEngine implements Agent {
  readonly name = 'workflows.engine'
  readonly idleMs: number
  private readonly tracked = new Map<string, Tracked>()
  private readonly provider: CandidateProvider
  private readonly staging: Staging
  private readonly leaseMs: number
  private lastRenew = 0

  constructor(
    private readonly ctx: Context,
    private readonly options: EngineOptions,
  ) {
    this.provider = options.provider ?? computeSitesProvider(ctx)
    this.staging = options.staging ?? new LocalFileStaging()
    this.leaseMs = options.leaseMs ?? 30_000
    this.idleMs = options.idleMs ?? 200
  }

  /** Tasks this worker is watching. */
  get trackedCount(): number {
    return this.tracked.size
  }

  async runOnce(): Promise<number> {
    const sites = await this.provider()
    const byName = new Map(sites.map((s) => [s.name, s]))
    let handled = await this.takeOver(byName)
    handled += await this.dispatch(sites)
    handled += await this.poll(byName)
    await this.renew(byName)
    return handled
  }

  private leaseUntil(): Date {
    return new Date(this.ctx.clock.now().getTime() + this.leaseMs)
  }

  private async takeOver(sites: Map<string, ComputeCandidate>): Promise<number> {
    const rows = await claimOrphanedTasks(
      this.ctx.db,
      this.options.workerId,
      this.ctx.clock.now(),
      this.leaseUntil(),
      1000,
    )
    for (const row of rows) {
      if (row.site === null || row.attempt_id === null || !sites.has(row.site)) continue
      this.tracked.set(row.id, toTracked(row, row.site, row.attempt_id))
    }
    return rows.length
  }

  private async dispatch(sites: ComputeCandidate[]): Promise<number> {
    const free = new Map<string, number>()
    let room = 0
    for (const s of sites) {
      const n = Math.max(0, executorFor(s).maxInFlight - s.queued - s.running)
      free.set(s.name, n)
      room += n
    }
    const limit = Math.min(this.options.batch ?? 200, room)
    if (limit <= 0) return 0
    const toSubmit: Tracked[] = []
    const handled = await this.ctx.db.transaction().execute(async (tx) => {
      const now = this.ctx.clock.now()
      const rows = await claimReadyTasks(tx, now, limit)
      if (rows.length === 0) return 0
      const events: NewEvent[] = []
      const cachedIds: string[] = []
      const failed: Array<{ row: ClaimedTask; reason: string }> = []
      const keys = new Map<string, string | null>()
      for (const row of rows) {
        keys.set(row.id, row.no_cache ? null : await cacheKeyOf(row.spec as TaskSpec, row.workdir))
      }
      const hits = await findCachedTasks(
        tx,
        [...keys.values()].filter((k): k is string => k !== null),
      )
      for (const row of rows) {
        const spec = row.spec as TaskSpec
        const key = keys.get(row.id) ?? null
        const hit = key === null ? undefined : hits.get(key)
        if (hit && outputsExist(spec, row.workdir)) {
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
          const brokerOptions = {
            ...(this.options.mayUse ? { mayUse: this.options.mayUse } : {}),
            ...(this.options.locality ? { locality: this.options.locality } : {}),
          }
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
        try {
          await this.staging.stageIn({
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
        free.set(site, (free.get(site) ?? 0) - 1)
        const attempt = row.attempt + 1
        const attemptId = `${row.id}.${attempt}`
        await moveTask(tx, row.id, ['ready', 'retrying'], {
          state: 'submitted',
          site,
          placement: JSON.stringify(placement.decisions),
          attempt,
          attempt_id: attemptId,
          external_id: null,
          cache_key: key,
          claimed_by: this.options.workerId,
          claimed_until: this.leaseUntil(),
          exit_code: null,
          reason: null,
          updated_at: now,
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
          to_state: 'submitted',
          reason: `attempt ${attempt} (${attemptId})`,
        })
        toSubmit.push({ ...toTracked(row, site, attemptId), attempt, state: 'submitted' })
      }
      await this.finishReleased(tx, cachedIds, rows, events, now)
      for (const { row, reason } of failed) {
        await this.failForGood(tx, row.id, row.workflow_id, row.state, reason, events, now)
      }
      await insertEventRows(tx, events)
      await markWorkflowsRunning(tx, [...new Set(rows.map((r) => r.workflow_id))], now)
      return toSubmit.length + cachedIds.length + failed.length
    })
    const bySite = sitesByName(sites)
    const recorded: Array<{ id: string; externalId: string }> = []
    for (const t of toSubmit) {
      this.tracked.set(t.id, t)
      const site = bySite.get(t.site)
      if (!site) continue
      try {
        const { externalId } = await executorFor(site).submit(jobSpec(t))
        t.externalId = externalId
        recorded.push({ id: t.id, externalId })
      } catch {
        // Left unrecorded: the next poll finds it unknown by attempt id and submits again.
      }
    }
    await setExternalIds(this.ctx.db, recorded)
    return handled
  }

  /** Counts cached tasks as done and readies their dependants. */
  private async finishReleased(
    tx: Transaction<DB>,
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
  private async failForGood(
    tx: Transaction<DB>,
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

  private async poll(sites: Map<string, ComputeCandidate>): Promise<number> {
    if (this.tracked.size === 0) return 0
    const groups = new Map<string, Tracked[]>()
    for (const t of this.tracked.values()) {
      const list = groups.get(t.site) ?? []
      list.push(t)
      groups.set(t.site, list)
    }
    const updates: Array<{ t: Tracked; status: JobStatus }> = []
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
          await executor.submit(jobSpec(t))
          continue
        }
        if (status.state === 'queued' || (status.state === 'running' && t.state === 'running')) {
          continue
        }
        updates.push({ t, status })
      }
    }
    if (updates.length === 0) return 0
    await this.ctx.db.transaction().execute(async (tx) => this.applyStatuses(tx, updates, sites))
    return updates.length
  }

  private async applyStatuses(
    tx: Transaction<DB>,
    updates: Array<{ t: Tracked; status: JobStatus }>,
    sites: Map<string, ComputeCandidate>,
  ): Promise<void> {
    const now = this.ctx.clock.now()
    const events: NewEvent[] = []
    const usage: NewUsageRecord[] = []
    const done: Array<{ id: string; workflow_id: string }> = []
    for (const { t, status } of updates) {
      const from = t.state
      if (status.state === 'running') {
        if (
          await moveTask(tx, t.id, ['submitted'], {
            state: 'running',
            started_at: status.usage?.startedAt ?? now,
            external_id: status.externalId ?? t.externalId,
            updated_at: now,
          })
        ) {
          events.push({
            task_id: t.id,
            at: now,
            from_state: 'submitted',
            to_state: 'running',
            reason: null,
          })
          t.state = 'running'
        }
        continue
      }
      this.tracked.delete(t.id)
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
      if (failure === null) {
        try {
          await this.staging.stageOut({
            workflowId: t.workflowId,
            taskName: t.name,
            site: t.site,
            workdir: t.workdir,
            inputs: t.spec.inputs,
            outputs: t.spec.outputs,
            scope: null,
            rule: null,
          })
        } catch (err) {
          failure = `stage-out: ${(err as Error).message}`
        }
      }
      const finished = {
        exit_code: status.exitCode,
        finished_at: now,
        updated_at: now,
        claimed_by: null,
        claimed_until: null,
      }
      if (failure === null) {
        if (
          await moveTask(tx, t.id, ['submitted', 'running'], {
            ...finished,
            state: 'done',
            reason: null,
          })
        ) {
          events.push({ task_id: t.id, at: now, from_state: from, to_state: 'done', reason: null })
          done.push({ id: t.id, workflow_id: t.workflowId })
        }
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
        await this.failForGood(tx, t.id, t.workflowId, from, failure, events, now)
      }
    }
    await insertUsageRows(tx, usage)
    await this.finishReleased(
      tx,
      done.map((d) => d.id),
      done,
      events,
      now,
    )
    await insertEventRows(tx, events)
  }

  private async renew(sites: Map<string, ComputeCandidate>): Promise<void> {
    const nowMs = Date.now()
    if (nowMs - this.lastRenew < this.leaseMs / 3) return
    this.lastRenew = nowMs
    const ids = [...this.tracked.keys()]
    const alive = await renewLeases(this.ctx.db, this.options.workerId, ids, this.leaseUntil())
    const gone = ids.filter((id) => !alive.has(id))
    if (gone.length === 0) return
    for (const row of await listTaskStates(this.ctx.db, gone)) {
      const t = this.tracked.get(row.id)
      this.tracked.delete(row.id)
      const site = t && sites.get(t.site)
      if (t && site && row.state === 'cancelled') await executorFor(site).cancel(refOf(t))
    }
  }

  /** Checks leases now (tests; the runner does it every lease/3). */
  async heartbeat(): Promise<void> {
    this.lastRenew = 0
    const sites = sitesByName(await this.provider())
    await this.renew(sites)
  }
}

function toTracked(row: ClaimedTask, site: string, attemptId: string): Tracked {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    name: row.name,
    state: row.state,
    attempt: row.attempt,
    maxRetries: row.max_retries,
    backoffS: row.backoff_s,
    attemptId,
    externalId: row.external_id,
    site,
    spec: row.spec as TaskSpec,
    community: row.community,
    owner: row.owner,
    workdir: row.workdir,
  }
}

function brokerTask(row: ClaimedTask, spec: TaskSpec, sites: ComputeCandidate[]) {
  return {
    name: row.name,
    community: row.community,
    cores: spec.resources.cores,
    memoryMb: spec.resources.memoryMb,
    walltimeS: spec.resources.walltimeS,
    accelerators: spec.resources.accelerators,
    image: spec.image,
    inputs: spec.inputs,
    pinned: spec.site === null ? null : matchSites(spec.site, sites),
    excluded: spec.exclude === null ? null : matchSites(spec.exclude, sites),
  }
}

function jobSpec(t: Tracked): JobSpec {
  const r = t.spec.resources
  return {
    attemptId: t.attemptId,
    argv: t.spec.argv,
    env: t.spec.env,
    workdir: t.workdir,
    cores: r.cores,
    memoryMb: r.memoryMb,
    walltimeS: r.walltimeS,
  }
}

function refOf(t: Tracked): JobRef {
  return { attemptId: t.attemptId, externalId: t.externalId }
}

function sitesByName(sites: ComputeCandidate[]): Map<string, ComputeCandidate> {
  return new Map(sites.map((s) => [s.name, s]))
}

function usageRecord(
  t: Tracked,
  site: ComputeCandidate,
  status: JobStatus,
  now: Date,
): NewUsageRecord {
  const wallS = status.usage?.wallS ?? 0
  const cores = t.spec.resources.cores
  return {
    task_id: t.id,
    workflow_id: t.workflowId,
    attempt: t.attempt,
    community: t.community,
    owner: t.owner,
    site: site.name,
    batch_system: site.batchSystem,
    cores,
    memory_mb: t.spec.resources.memoryMb,
    wall_s: wallS,
    cpu_s: status.usage?.cpuS ?? 0,
    energy_kwh: (cores * site.wattsPerCore * wallS) / 3600 / 1000,
    state: status.state,
    started_at: status.usage?.startedAt ?? null,
    finished_at: now,
  }
}

export type { Executor }
