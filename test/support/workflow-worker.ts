/**
 * A worker process for the reliability tests: the same engine `continuum worker` runs, with a
 * short lease so that a killed worker's tasks are taken over within seconds.
 *   node --import tsx test/support/workflow-worker.ts <postgres-url> <lease-ms>
 */
import { connect } from '../../src/db/index.js'
import {
  systemActor,
  newId,
  runAgents,
  silentLogger,
  systemClock,
} from '../../src/platform/index.js'
import { WorkflowEngine } from '../../src/workflows/index.js'

const [url, leaseText] = process.argv.slice(2)
if (!url) throw new Error('usage: workflow-worker.ts <postgres-url> [lease-ms]')
const database = await connect(url, { maxConnections: 3 })
const engine = new WorkflowEngine(
  { db: database.db, clock: systemClock, actor: systemActor('test') },
  {
    workerId: `kill-test-${process.pid}-${newId()}`,
    leaseMs: Number(leaseText ?? 2000),
    idleMs: 50,
  },
)
const runner = runAgents([engine], silentLogger)
process.stdout.write('ready\n')
process.once('SIGTERM', () => void runner.stop().then(() => database.close()))
await runner.done
