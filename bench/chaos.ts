/**
 * The soak version of test/chaos.test.ts (issue 16): the same faults — a worker SIGKILL, a
 * restart of the test's own PostgreSQL cluster, a hung storage endpoint and an anonymous flood —
 * over `scale` times the work (30 tasks and 20 transfers per unit), after a quiet phase under
 * the same load without faults. Prints the authenticated p50/p99 quiet and under chaos, and
 * their ratio; fails when any promise of the test is broken.
 *   node --import tsx bench/chaos.ts [scale=5] [quiet-seconds=10]
 */
import { spawnSync } from 'node:child_process'

const scale = Number(process.argv[2] ?? 5)
const quietSeconds = Number(process.argv[3] ?? 10)
const started = performance.now()
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/chaos.test.ts'],
  {
    encoding: 'utf8',
    env: {
      ...process.env,
      CI: 'true',
      CHAOS_SCALE: String(scale),
      CHAOS_QUIET_MS: String(quietSeconds * 1000),
    },
    maxBuffer: 64 << 20,
  },
)
const seconds = (performance.now() - started) / 1000
const figures = /chaos: .*/.exec(run.stdout)?.[0]
console.log(figures ?? run.stdout.slice(-4000))
console.log(
  `scale ${scale}, quiet ${quietSeconds} s, ${seconds.toFixed(0)} s in all, ${run.status === 0 ? 'every promise kept' : 'FAILED'}`,
)
if (run.status !== 0) {
  console.error(run.stderr.slice(-4000))
  process.exitCode = 1
}
