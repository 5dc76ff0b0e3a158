/**
 * The reaper: deletes the bytes of tombstoned replicas (no rule locks them) once their grace
 * period is over, then forgets the replica. Deletion is idempotent, so a reaper killed mid-way
 * is harmless: the replica is still listed and the next round deletes it again.
 */
import { reapReplicas, type ReapTarget } from '../../data/index.js'
import type { Context } from '../../db/index.js'
import { ContinuumError, type Agent, type Logger } from '../../platform/index.js'
import { ProtocolRegistry } from '../protocols/index.js'

export interface ReaperOptions {
  logger?: Logger | undefined
  registry?: ProtocolRegistry
  /** How long a tombstoned replica stays before deletion (default 1 h). */
  graceMs?: number
  batch?: number
}

export class ReaperAgent implements Agent {
  readonly name = 'data.reaper'
  readonly idleMs = 10_000
  private readonly registry: ProtocolRegistry

  constructor(
    private readonly ctx: Context,
    private readonly options: ReaperOptions = {},
  ) {
    this.registry = options.registry ?? new ProtocolRegistry()
  }

  runOnce(): Promise<number> {
    return reapReplicas(this.ctx, {
      graceMs: this.options.graceMs ?? 3_600_000,
      limit: this.options.batch ?? 100,
      deleteBytes: (t) => this.deleteBytes(t),
    })
  }

  private async deleteBytes(target: ReapTarget): Promise<void> {
    const url = target.urls.find((u) => this.registry.supports(u))
    if (!url) {
      throw new ContinuumError(
        'STORAGE_ERROR',
        `${target.endpoint} offers no supported delete protocol`,
        { endpoint: target.endpoint },
      )
    }
    await this.registry.for(url).delete(url)
    this.options.logger?.info(
      { did: `${target.scope}:${target.name}`, endpoint: target.endpoint },
      'replica deleted',
    )
  }
}
