/**
 * The history agent: deletes finished transfer requests older than the retention period (FTS
 * purges its finished jobs the same way), a batch per round, so the tables stay the size of the
 * recent work rather than of everything ever moved.
 */
import type { Context } from '../../db/index.js'
import type { Agent, Logger } from '../../platform/index.js'
import { pruneTransferHistory } from '../transfer-history.js'

export interface TransferHistoryOptions {
  /** Days a finished request is kept (default 30). */
  days?: number | undefined
  /** Requests deleted per round (default 5,000). */
  batch?: number
  logger?: Logger | undefined
}

export class TransferHistoryAgent implements Agent {
  readonly name = 'transfers.history'
  readonly idleMs = 600_000

  constructor(
    private readonly ctx: Context,
    private readonly options: TransferHistoryOptions = {},
  ) {}

  async runOnce(): Promise<number> {
    const days = this.options.days ?? 30
    const deleted = await pruneTransferHistory(this.ctx, {
      days,
      limit: this.options.batch ?? 5000,
    })
    if (deleted > 0) {
      this.options.logger?.info({ deleted, days }, 'pruned finished transfer requests')
    }
    return deleted
  }
}
