/**
 * The rule evaluator: places locks for content attached to collections that have rules
 * (dataset growth), ends rules whose lifetime is over, and retries files stuck for longer than
 * an hour. Claims rules with leases.
 */
import type { Context } from '../../db/index.js'
import type { Agent } from '../../platform/index.js'
import { evaluateRules, expireRules, repairStuckLocks } from '../lifetimes.js'

export class RuleEvaluatorAgent implements Agent {
  readonly name = 'data.rules'
  readonly idleMs = 5000

  constructor(
    private readonly ctx: Context,
    private readonly options: {
      workerId: string
      leaseMs?: number
      batch?: number
      repairAfterMs?: number
    },
  ) {}

  async runOnce(): Promise<number> {
    const evaluated = await evaluateRules(this.ctx, this.options.workerId, {
      leaseMs: this.options.leaseMs ?? 300_000,
      limit: this.options.batch ?? 20,
    })
    const expired = await expireRules(this.ctx, this.options.batch ?? 20)
    const repaired = await repairStuckLocks(this.ctx, {
      afterMs: this.options.repairAfterMs ?? 3_600_000,
      limit: this.options.batch ?? 20,
    })
    return evaluated + expired + repaired
  }
}
