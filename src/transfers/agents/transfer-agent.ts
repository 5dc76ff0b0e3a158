/**
 * The transfer agent: claims due transfer requests with a lease, copies each from one source
 * (a different one on each retry) to the destination with verification, and reports back. A
 * killed agent's lease runs out and another agent repeats the copy from the start; the write is
 * atomic at the destination, so the repeat is safe and the outcome is recorded once.
 */
import {
  completeTransfer,
  claimTransfers,
  failTransfer,
  heartbeatTransfer,
  planTransfer,
  type TransferPlan,
} from '../../data/index.js'
import type { Context } from '../../db/index.js'
import type { Agent, Logger } from '../../platform/index.js'
import { copyVerified } from '../copy.js'
import { ProtocolRegistry } from '../protocols/index.js'

export interface TransferAgentOptions {
  workerId: string
  logger?: Logger | undefined
  registry?: ProtocolRegistry
  /** How long a claim lasts without a heartbeat (default 5 min). */
  leaseMs?: number
  /** First retry delay; doubles with every attempt (default 30 s). */
  backoffMs?: number
  /** Transfers claimed and run at once (default 4). */
  batch?: number
}

export class TransferAgent implements Agent {
  readonly name = 'transfers.agent'
  readonly idleMs = 2000
  private readonly registry: ProtocolRegistry
  private readonly leaseMs: number
  private readonly backoffMs: number
  private readonly batch: number

  constructor(
    private readonly ctx: Context,
    private readonly options: TransferAgentOptions,
  ) {
    this.registry = options.registry ?? new ProtocolRegistry()
    this.leaseMs = options.leaseMs ?? 300_000
    this.backoffMs = options.backoffMs ?? 30_000
    this.batch = options.batch ?? 4
  }

  async runOnce(): Promise<number> {
    const ids = await claimTransfers(this.ctx, this.options.workerId, {
      leaseMs: this.leaseMs,
      limit: this.batch,
    })
    await Promise.all(ids.map((id) => this.run(id)))
    return ids.length
  }

  private async run(id: string): Promise<void> {
    const worker = this.options.workerId
    const beat = setInterval(
      () => void heartbeatTransfer(this.ctx, id, worker, this.leaseMs).catch(() => undefined),
      Math.max(1000, this.leaseMs / 3),
    )
    beat.unref()
    let plan: TransferPlan | undefined
    let sourceId: string | undefined
    try {
      plan = await planTransfer(this.ctx, id)
      const dest = plan.destination.urls.find((u) => this.registry.supports(u))
      if (!dest) throw new Error(`no supported write protocol on ${plan.destination.endpoint}`)
      const source = plan.sources
        .map((s) => ({ s, url: s.urls.find((u) => this.registry.supports(u)) }))
        .find((x) => x.url !== undefined)
      if (!source?.url) {
        throw new Error(
          plan.sources.length
            ? 'no source replica offers a supported read protocol'
            : 'no available source replica',
        )
      }
      sourceId = source.s.endpointId
      await copyVerified(this.registry, source.url, dest, {
        bytes: plan.bytes,
        adler32: plan.adler32,
      })
      const outcome = await completeTransfer(this.ctx, id, worker)
      if (outcome === 'unwanted') await this.registry.for(dest).delete(dest)
      this.options.logger?.info(
        {
          transfer: id,
          did: `${plan.scope}:${plan.name}`,
          from: source.s.endpoint,
          to: plan.destination.endpoint,
          outcome,
        },
        'transfer finished',
      )
    } catch (err) {
      const error = (err as Error).message
      const outcome = await failTransfer(this.ctx, id, worker, {
        error,
        sourceEndpointId: sourceId,
        backoffMs: this.backoffMs,
      })
      this.options.logger?.warn({ transfer: id, error, outcome }, 'transfer attempt failed')
    } finally {
      clearInterval(beat)
    }
  }
}
