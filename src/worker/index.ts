/**
 * worker: the background side of Continuum. Collects the agents of every domain; `continuum
 * worker` runs them against the shared database. Domains add their agents in `allAgents`.
 */
import { RuleEvaluatorAgent } from '../data/index.js'
import type { Context } from '../db/index.js'
import { isGoneLocalWorker, type Agent, type Logger } from '../platform/index.js'
import {
  endTransferLeasesOfGoneWorkers,
  PartialFileReaper,
  ReaperAgent,
  TransferAgent,
  TransferHistoryAgent,
  type TokenMinter,
} from '../transfers/index.js'
import { AuditRetentionAgent, PolicyEngine } from '../policy/index.js'
import {
  endTaskLeasesOfGoneWorkers,
  FederationStaging,
  WorkflowEngine,
} from '../workflows/index.js'

export interface WorkerOptions {
  /** Run only the agents whose names start with one of these prefixes. */
  only?: readonly string[]
  /** Identifies this process in lease columns (`claimed_by`). */
  workerId: string
  /**
   * Signs the short-lived, narrowly scoped storage tokens each transfer carries (the built-in
   * issuer); without one, transfers go without a token.
   */
  tokens?: TokenMinter | undefined
  /** Days finished transfer requests are kept (default 30). */
  transferHistoryDays?: number | undefined
  /** Days audit rows are kept (default 180). */
  auditRetentionDays?: number | undefined
}

/** Every domain's agents. */
export function allAgents(ctx: Context, options: WorkerOptions): Agent[] {
  return [
    new RuleEvaluatorAgent(ctx, { workerId: options.workerId }),
    new TransferAgent(ctx, { workerId: options.workerId, tokens: options.tokens }),
    new ReaperAgent(ctx),
    new PartialFileReaper(ctx),
    new TransferHistoryAgent(ctx, { days: options.transferHistoryDays }),
    new AuditRetentionAgent(ctx, { days: options.auditRetentionDays }),
    new WorkflowEngine(ctx, {
      workerId: options.workerId,
      // Only the access policies matter here (ComputeService resources): no route actions needed.
      policy: new PolicyEngine(ctx, () => []),
      staging: new FederationStaging(ctx),
    }),
  ]
}

export function selectAgents(ctx: Context, options: WorkerOptions): Agent[] {
  const agents = allAgents(ctx, options)
  if (!options.only?.length) return agents
  return agents.filter((a) => options.only?.some((prefix) => a.name.startsWith(prefix)))
}

/**
 * At a worker's start: the leases of workers of this host that are gone (killed, crashed) end
 * now, so their transfers stop counting as active and are requeued, and their tasks are taken
 * over, without waiting for the leases to run out.
 */
export async function endLeasesOfGoneWorkers(ctx: Context, logger?: Logger): Promise<void> {
  const transfers = await endTransferLeasesOfGoneWorkers(ctx, isGoneLocalWorker)
  const tasks = await endTaskLeasesOfGoneWorkers(ctx, isGoneLocalWorker)
  if (transfers + tasks > 0) {
    logger?.info({ transfers, tasks }, 'ended the leases of workers that are gone')
  }
}
