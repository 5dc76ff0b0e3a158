/**
 * The rule evaluator: places locks for content attached to collections that have rules
 * (dataset growth), and ends rules whose lifetime is over. Claims rules with leases.
 */
import type { Context } from '../../db/index.js'
import type { Agent } from '../../platform/index.js'
import { evaluateRules, expireRules } from '../lifetimes.js'

export class RuleEvaluatorAgent implements Agent {
  readonly name = 'data.rules'
  readonly idleMs = 5000

  constructor(
    private readonly ctx: Context,
    private readonly options: { workerId: string; leaseMs?: number; batch?: number },
  ) {}

  async runOnce(): Promise<number> {
    const evaluated = await evaluateRules(this.ctx, this.options.workerId, { leaseMs: this.options.leaseMs ?? 300_000, limit: this.options.batch ?? 20 })
    const expired = await expireRules(this.ctx, this.options.batch ?? 20)
    return evaluated + expired
  }
}
