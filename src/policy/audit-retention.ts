/**
 * Audit retention: the worker's `policy.audit-retention` agent deletes audit rows older than
 * `auditRetentionDays` (default 180, `CONTINUUM_AUDIT_RETENTION_DAYS`), a batch per round, so the
 * table has a bounded size whatever the traffic. One statement per batch (its own transaction).
 */
import type { Context } from '../db/index.js'
import type { Agent, Logger } from '../platform/index.js'
import { deleteAuditRowsBefore } from './audit-store.js'

export interface AuditRetentionOptions {
  days?: number | undefined
  batch?: number
  logger?: Logger
}

export class AuditRetentionAgent implements Agent {
  readonly name = 'policy.audit-retention'
  readonly idleMs = 600_000

  constructor(
    private readonly ctx: Context,
    private readonly options: AuditRetentionOptions = {},
  ) {}

  async runOnce(): Promise<number> {
    const days = this.options.days ?? 180
    const cutoff = new Date(this.ctx.clock.now().getTime() - days * 86_400_000)
    const deleted = await deleteAuditRowsBefore(this.ctx.db, cutoff, this.options.batch ?? 5000)
    if (deleted > 0) this.options.logger?.info({ deleted, days }, 'pruned old audit rows')
    return deleted
  }
}
