/**
 * The workflow engine, run by `continuum worker` as the agent `workflows.engine`. Each round:
 *   1. takes over active tasks whose lease ran out (their worker died) and reconciles them
 *      with the batch system by attempt id, so nothing runs twice;
 *   2. dispatches ready tasks (dispatch.ts): broker → cache → stage-in → `submitted` → submit;
 *   3. polls the executors in batches and finishes tasks (reconcile.ts);
 *   4. renews its leases (heartbeat) and kills the jobs of tasks cancelled meanwhile.
 */
import type { Context } from '../db/index.js'
import type { Executor } from '../executors/index.js'
import type { Agent } from '../platform/index.js'
import type { PolicyEngine } from '../policy/index.js'
import { policyExplainer, policyGate } from './access-gate.js'
import type {
  CandidateProvider,
  ComputeCandidate,
  LocalityEstimator,
  UsePredicate,
} from './broker.js'
import { dispatchReady } from './dispatch.js'
import { pollWatched } from './reconcile.js'
import { advanceStaging } from './stage-in.js'
import { computeSitesProvider, executorFor } from './sites.js'
import { LocalFileStaging, type Staging } from './staging.js'
import { claimOrphanedTasks, listTaskStates, renewLeases } from './task-leases-store.js'
import { refOf, sitesByName, toTracked, type EngineScope, type Tracked } from './tracked-task.js'

export interface EngineOptions {
  /** Identifies this process in `claimed_by`. */
  workerId: string
  provider?: CandidateProvider
  mayUse?: UsePredicate
  /** The Cedar gate: tasks go only where the access policies let their community run. */
  policy?: PolicyEngine
  locality?: LocalityEstimator
  staging?: Staging
  /** Lease length; a worker silent this long loses its tasks to another. */
  leaseMs?: number
  /** Most tasks dispatched per round. */
  batch?: number
  idleMs?: number
  /** Longest pause between busy rounds (Agent.paceMs; default 20 ms, 0 = none). */
  paceMs?: number
}

export class WorkflowEngine implements Agent {
  readonly name = 'workflows.engine'
  readonly idleMs: number
  readonly paceMs: number
  private readonly tracked = new Map<string, Tracked>()
  private readonly provider: CandidateProvider
  private readonly leaseMs: number
  private readonly scope: EngineScope
  private lastRenew = 0
  private lastTakeOver = -Infinity
  private wake: (() => void) | undefined
  /** Executors whose job endings wake this engine. */
  private readonly heard = new WeakSet<Executor>()

  constructor(
    private readonly ctx: Context,
    private readonly options: EngineOptions,
  ) {
    this.provider = options.provider ?? computeSitesProvider(ctx)
    this.leaseMs = options.leaseMs ?? 30_000
    this.idleMs = options.idleMs ?? 200
    // A round costs about ten statements whether it settles one ended task or fifty: pacing
    // busy rounds lets endings gather (10 statements a task became ~2 on a wide workflow).
    this.paceMs = options.paceMs ?? 20
    this.scope = {
      ctx,
      workerId: options.workerId,
      tracked: this.tracked,
      staging: options.staging ?? new LocalFileStaging(),
      brokerOptions: {
        ...(options.mayUse
          ? { mayUse: options.mayUse }
          : options.policy
            ? { mayUse: policyGate(options.policy) }
            : {}),
        ...(options.policy ? { explainUse: policyExplainer(options.policy) } : {}),
        ...(options.locality ? { locality: options.locality } : {}),
      },
      leaseUntil: () => this.leaseUntil(),
    }
  }

  /** Tasks this worker is watching. */
  get trackedCount(): number {
    return this.tracked.size
  }

  wakeWith(wake: () => void): void {
    this.wake = wake
  }

  async runOnce(): Promise<number> {
    await this.options.policy?.ensureCurrent()
    const sites = await this.provider()
    this.listen(sites)
    const byName = sitesByName(sites)
    // Orphans appear only as other workers' leases run out (30 s by default): looking for them
    // about once a second is enough, and saves a locking statement on every busy round.
    let handled = 0
    if (Date.now() - this.lastTakeOver >= Math.min(1000, this.leaseMs / 10)) {
      this.lastTakeOver = Date.now()
      handled += await this.takeOver(byName)
    }
    handled += await dispatchReady(this.scope, sites, this.options.batch ?? 200)
    handled += await advanceStaging(this.scope, sites)
    const ended = await pollWatched(this.scope, byName)
    // What those endings made ready goes out in this round, not the next: a chain's next task
    // does not wait for the pause between busy rounds.
    if (ended > 0) {
      handled += ended + (await dispatchReady(this.scope, sites, this.options.batch ?? 200))
    }
    await this.renew(byName)
    return handled
  }

  /** A job that ends on a site that says so starts the next round (see Agent.wakeWith). */
  private listen(sites: readonly ComputeCandidate[]): void {
    if (!this.wake) return
    for (const site of sites) {
      let executor: Executor
      try {
        executor = executorFor(site)
      } catch {
        continue // no executor for its kind here: dispatch says so
      }
      if (!executor.onJobEnded || this.heard.has(executor)) continue
      this.heard.add(executor)
      executor.onJobEnded(() => this.wake?.())
    }
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

export type { Executor }
