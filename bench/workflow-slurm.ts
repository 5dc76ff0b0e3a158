/**
 * 100 trivial tasks through a real single-node Slurm (started here, 2 CPUs): seconds from submit
 * to all done through Continuum (engine + SlurmExecutor, embedded PGlite), side by side with the
 * same 100 jobs submitted by hand with sbatch and waited for with squeue. Needs root and Debian's
 * slurm-wlm + munge.
 *   node --import tsx bench/workflow-slurm.ts [tasks=100]
 */
import { execFileSync } from 'node:child_process'
import { connect, migrate } from '../src/db/index.js'
import { systemActor, runAgents, silentLogger, systemClock } from '../src/platform/index.js'
import {
  getWorkflow,
  putComputeSite,
  submitWorkflow,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { slurmSkipReason, startSlurm } from '../test/support/slurm.js'
import { tempDir } from '../test/support/workflows.js'

const n = Number(process.argv[2] ?? 100)
const skip = slurmSkipReason()
if (skip) {
  console.log(`skipped: ${skip}`)
  process.exit(0)
}
const cluster = await startSlurm()
const env = { ...process.env, ...cluster.env }
const squeueEmpty = () =>
  execFileSync('squeue', ['-h', '-o', '%i'], { env }).toString().trim() === ''
try {
  const byHand = tempDir('continuum-sbatch-')
  let started = performance.now()
  for (let i = 0; i < n; i++) {
    execFileSync(
      'sbatch',
      [
        '--parsable',
        `--job-name=hand-${i}`,
        '--cpus-per-task=1',
        '--mem=10M',
        '--time=1',
        `--chdir=${byHand}`,
        '--output=/dev/null',
        '--wrap',
        'true',
      ],
      { env },
    )
  }
  while (!squeueEmpty()) await new Promise((r) => setTimeout(r, 100))
  const hand = (performance.now() - started) / 1000
  console.log(
    `sbatch by hand:  ${hand.toFixed(1)} s for ${n} jobs (${n} sbatch calls, squeue every 0.1 s)`,
  )

  const database = await connect('memory:')
  await migrate(database)
  const ctx = { db: database.db, clock: systemClock, actor: systemActor('bench') }
  await putComputeSite(ctx, {
    name: 'slurm',
    executor: 'slurm',
    batchSystem: 'slurm',
    config: { root: tempDir('continuum-slurm-runs-'), env: cluster.env, pollIntervalMs: 1000 },
    cores: 2,
    memoryPerCoreMb: 2000,
  })
  const workdir = tempDir()
  started = performance.now()
  const wf = await submitWorkflow(ctx, {
    workdir,
    source: `name: slurm-bench\ndefaults: { resources: { memory: 10MB, walltime: 1m } }\ntasks:\n  - { name: t, scatter: { range: ${n} }, command: ['true'] }\n`,
  })
  const engine = new WorkflowEngine(ctx, { workerId: 'bench', idleMs: 100 })
  const runner = runAgents([engine], silentLogger)
  let state = wf.state as string
  while (!['succeeded', 'failed', 'cancelled'].includes(state)) {
    await new Promise((r) => setTimeout(r, 100))
    state = (await getWorkflow(ctx, wf.id)).state
  }
  const ours = (performance.now() - started) / 1000
  await runner.stop()
  await database.close()
  console.log(
    `continuum:       ${ours.toFixed(1)} s for ${n} tasks (${state}); ${(ours / hand).toFixed(2)}× the time by hand`,
  )
} finally {
  cluster.stop()
}
