/**
 * The transfer agent: the scheduler's worker. Each round it lets the optimiser move the links'
 * limits (when due), claims due requests per link by fair share, copies each from its link's
 * source to the destination with verification and a narrowly scoped token, and reports back
 * with the attempt's class of failure. A killed agent's lease runs out and another agent repeats
 * the copy from the start; the write is atomic at the destination, so the repeat is safe and the
 * outcome is recorded once.
 */
import type { Context } from '../../db/index.js'
import type { Agent, Logger } from '../../platform/index.js'
import { ProtocolRegistry } from '../protocols/index.js'
import {
  chooseTransfers,
  classifyFailure,
  decideLimit,
  findRoute,
  retryDelay,
  TransferFailure,
  type Hop,
  type TokenMinter,
} from '../scheduler/index.js'
import { withDeadline } from '../deadline.js'
import { claimTransfers, heartbeatTransfer } from '../transfer-claims.js'
import { evaluateLinks, loadTransferNetwork } from '../transfer-links.js'
import {
  completeTransfer,
  failTransfer,
  planTransfer,
  type TransferPlan,
} from '../transfer-outcomes.js'
import { copyAlongRoute, temporaryPathOf } from './route-copy.js'

type TransferNetwork = Awaited<ReturnType<typeof loadTransferNetwork>>

export interface TransferAgentOptions {
  workerId: string
  logger?: Logger | undefined
  registry?: ProtocolRegistry
  /** How long a claim lasts without a heartbeat (default 5 min). */
  leaseMs?: number
  /** First retry delay; doubles with every attempt, with jitter (default 30 s). */
  backoffMs?: number
  /** Transfers this worker runs at once (default 16); links' limits apply within it. */
  batch?: number
  /** How often the optimiser looks at each link (default 60 s). */
  optimiserIntervalMs?: number
  /** Mints each transfer's token; without one, transfers carry none. */
  tokens?: TokenMinter | undefined
  /** Jitter source (tests pass a fixed one). */
  random?: () => number
  /**
   * Longest one attempt may run before it is cancelled and failed as a `timeout` (retryable),
   * so a hung endpoint cannot hold a transfer "submitted" for ever while its heartbeat keeps the
   * lease alive. Default: 10 minutes plus 1 s per 5 MB.
   */
  deadlineMs?: number
}

export class TransferAgent implements Agent {
  readonly name = 'transfers.agent'
  readonly idleMs = 1000
  private readonly registry: ProtocolRegistry
  private readonly leaseMs: number
  private readonly backoffMs: number
  private readonly batch: number
  private readonly optimiserIntervalMs: number
  private lastOptimiser = 0

  constructor(
    private readonly ctx: Context,
    private readonly options: TransferAgentOptions,
  ) {
    this.registry = options.registry ?? new ProtocolRegistry()
    this.leaseMs = options.leaseMs ?? 300_000
    this.backoffMs = options.backoffMs ?? 30_000
    this.batch = options.batch ?? 16
    this.optimiserIntervalMs = options.optimiserIntervalMs ?? 60_000
  }

  async runOnce(): Promise<number> {
    await this.optimise()
    const ids = await claimTransfers(this.ctx, this.options.workerId, {
      leaseMs: this.leaseMs,
      limit: this.batch,
      choose: chooseTransfers,
    })
    const network = ids.length ? await loadTransferNetwork(this.ctx) : undefined
    if (network) {
      this.registry.useEndpointRoots(
        network.endpoints.flatMap((e) => e.protocols.map((p) => p.url)),
      )
    }
    await Promise.all(ids.map((id) => this.run(id, network)))
    return ids.length
  }

  /** One optimiser pass when the interval has passed (the database says which links are due). */
  async optimise(): Promise<number> {
    const now = this.ctx.clock.now().getTime()
    if (now - this.lastOptimiser < this.optimiserIntervalMs) return 0
    this.lastOptimiser = now
    return evaluateLinks(this.ctx, this.optimiserIntervalMs, (w) => decideLimit(w))
  }

  /**
   * The route of a planned transfer: direct from the first source with a protocol pair to the
   * destination, else through multihop endpoints; TransferFailure when there is none.
   */
  private route(plan: TransferPlan, network: TransferNetwork): Hop[] {
    const byId = new Map(network.endpoints.map((e) => [e.id, e]))
    const place = (endpointId: string, path: string) => ({ endpoint: byId.get(endpointId)!, path })
    const result = findRoute({
      sources: plan.sources
        .filter((s) => byId.has(s.endpointId))
        .map((s) => place(s.endpointId, s.path)),
      destination: place(plan.destination.endpointId, plan.destination.path),
      endpoints: network.endpoints,
      closed: network.closed,
      supports: (url) => this.registry.supports(url),
      temporaryPath: temporaryPathOf(plan.id),
    })
    if (result.hops) return result.hops
    throw new TransferFailure(plan.sources.length ? 'no_route' : 'no_source', result.reason)
  }

  private async run(id: string, network?: TransferNetwork): Promise<void> {
    const worker = this.options.workerId
    const startedAt = this.ctx.clock.now()
    const beat = setInterval(
      () => void heartbeatTransfer(this.ctx, id, worker, this.leaseMs).catch(() => undefined),
      Math.max(1000, this.leaseMs / 3),
    )
    beat.unref()
    let plan: TransferPlan | undefined
    let sourceId: string | undefined
    let via: string[] = []
    try {
      plan = await planTransfer(this.ctx, id)
      const hops = this.route(plan, network ?? (await loadTransferNetwork(this.ctx)))
      sourceId = hops[0]!.from.endpoint.id
      via = hops.slice(1).map((h) => h.from.endpoint.name)
      const deadlineMs = this.options.deadlineMs ?? 600_000 + plan.bytes / 5e3
      await withDeadline(deadlineMs, `transfer of ${plan.scope}:${plan.name}`, (signal) =>
        copyAlongRoute(
          this.registry,
          hops,
          { bytes: plan!.bytes, adler32: plan!.adler32 },
          {
            transferId: id,
            tokens: this.options.tokens,
            logger: this.options.logger,
            expectedSeconds: plan!.bytes / 50e6,
            signal,
          },
        ),
      )
      const dest = hops[hops.length - 1]!.destUrl
      const outcome = await completeTransfer(this.ctx, id, worker, {
        sourceEndpointId: sourceId,
        startedAt,
        bytes: plan.bytes,
        via,
      })
      if (outcome === 'unwanted') await this.registry.for(dest).delete(dest)
      this.options.logger?.info(
        {
          transfer: id,
          did: `${plan.scope}:${plan.name}`,
          from: hops[0]!.from.endpoint.name,
          to: plan.destination.endpoint,
          via,
          outcome,
        },
        'transfer finished',
      )
    } catch (err) {
      await this.fail(id, err, plan, { sourceId, via, startedAt })
    } finally {
      clearInterval(beat)
    }
  }

  private async fail(
    id: string,
    err: unknown,
    plan: TransferPlan | undefined,
    attempt: { sourceId: string | undefined; via: string[]; startedAt: Date },
  ): Promise<void> {
    const failure = classifyFailure(err)
    try {
      const outcome = await failTransfer(this.ctx, id, this.options.workerId, {
        error: failure.message,
        failureClass: failure.failureClass,
        retryable: failure.retryable,
        needsOtherSource: failure.needsOtherSource,
        sourceEndpointId: attempt.sourceId,
        via: attempt.via,
        startedAt: attempt.startedAt,
        bytes: 0,
        delayMs: retryDelay(plan?.attempt ?? 1, this.backoffMs, this.options.random),
      })
      this.options.logger?.warn(
        { transfer: id, class: failure.failureClass, error: failure.message, outcome },
        'transfer attempt failed',
      )
    } catch (reportErr) {
      // The lease runs out and another round retries: nothing is lost.
      this.options.logger?.error(
        { transfer: id, err: reportErr },
        'could not record a failed transfer attempt',
      )
    }
  }
}
