/**
 * What confinement costs per task: the same command (`/bin/true`) forked bare and inside the
 * local executor's sandbox (bubblewrap + setpriv; limits are shell builtins in the wrapper), one after another.
 * Prints the mean time per run of each and the ratio. Usage: node --import tsx bench/sandbox-cost.ts [runs]
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defaultSandbox } from '../src/executors/index.js'
import { prepareAttemptFolder } from '../src/executors/attempt-folder.js'
import { sandboxArgv } from '../src/executors/sandbox.js'

const runs = Number(process.argv[2] ?? 200)
const workdir = mkdtempSync(path.join(os.tmpdir(), 'continuum-bench-sandbox-'))
const job = {
  attemptId: 'bench',
  argv: ['/bin/true'],
  env: {},
  workdir,
  cores: 1,
  memoryMb: 64,
  walltimeS: 60,
}

function timeEach(argv: string[]): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`)
  }
  return Number(process.hrtime.bigint() - start) / 1e6 / runs
}

const bare = timeEach(job.argv)
const attempt = prepareAttemptFolder(path.join(workdir, '.runs'), job, defaultSandbox)
const sandboxed = timeEach(sandboxArgv(job, defaultSandbox, attempt))
console.log(
  `runs ${runs}: bare fork ${bare.toFixed(2)} ms/run, sandboxed ${sandboxed.toFixed(2)} ms/run, ratio ${(sandboxed / bare).toFixed(1)}x, cost ${(sandboxed - bare).toFixed(2)} ms/task`,
)
