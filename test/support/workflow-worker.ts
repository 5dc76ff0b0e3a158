/**
 * A worker process for the reliability tests: the same engine `continuum worker` runs, with a
 * short lease so that a killed worker's tasks are taken over within seconds. Given a transfer
 * deadline, it also runs the rule evaluator and the transfer agent (short leases and backoff).
 *   node --import tsx test/support/workflow-worker.ts <postgres-url> <lease-ms> [transfer-deadline-ms]
 */
import { connect } from '../../src/db/index.js'
import {
  systemActor,
  newId,
  runAgents,
  silentLogger,
  systemClock,
} from '../../src/platform/index.js'
import { RuleEvaluatorAgent } from '../../src/data/index.js'
import { TransferAgent } from '../../src/transfers/index.js'
import { WorkflowEngine } from '../../src/workflows/index.js'

const [url, leaseText, transferDeadlineText] = process.argv.slice(2)
if (!url) throw new Error('usage: workflow-worker.ts <postgres-url> [lease-ms]')
const database = await connect(url, { maxConnections: 3 })
const ctx = { db: database.db, clock: systemClock, actor: systemActor('test') }
const workerId = `kill-test-${process.pid}-${newId()}`
const leaseMs = Number(leaseText ?? 2000)
const agents = [new WorkflowEngine(ctx, { workerId, leaseMs, idleMs: 50 })]
const runner = runAgents(
  transferDeadlineText
    ? [
        ...agents,
        new RuleEvaluatorAgent(ctx, { workerId }),
        new TransferAgent(ctx, {
          workerId,
          leaseMs,
          backoffMs: 500,
          deadlineMs: Number(transferDeadlineText),
        }),
      ]
    : agents,
  silentLogger,
)
process.stdout.write('ready\n')
process.once('SIGTERM', () => void runner.stop().then(() => database.close()))
await runner.done
