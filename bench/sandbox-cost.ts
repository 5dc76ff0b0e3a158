/**
 * What confinement costs per task, through the local executor itself: N `/bin/true` jobs with
 * 2 in flight (as many as the floor), run unconfined, confined through the per-site sandbox
 * helper (one exec per job) and confined through bwrap (wrapper shell, bwrap, setpriv), against
 * `xargs -P 2 -n 1` running the same command (the floor: a small process forking). Each side runs
 * `runs` times in alternating order; medians are compared.
 *   node --import tsx bench/sandbox-cost.ts [jobs=500] [runs=3]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defaultSandbox, LocalExecutor, type Confinement } from '../src/executors/index.js'
import { sandboxHelper } from '../src/executors/sandbox-helper.js'
import { runFairly, type Contender } from './support/fair.js'

const [jobs = 500, runs = 3] = process.argv.slice(2).map(Number)
const inFlight = 2

async function throughExecutor(confinement: Confinement): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-bench-sandbox-'))
  const workdir = path.join(root, 'work')
  mkdirSync(workdir)
  const executor = new LocalExecutor({
    root: path.join(root, 'runs'),
    cores: inFlight,
    memoryMb: 64 * inFlight,
    maxInFlight: inFlight,
    confinement,
  })
  let ended = 0
  let wake: (() => void) | undefined
  executor.onJobEnded(() => {
    ended++
    wake?.()
  })
  const started = performance.now()
  let submitted = 0
  while (ended < jobs) {
    while (submitted < jobs && submitted - ended < inFlight) {
      await executor.submit({
        attemptId: `t${submitted++}`,
        argv: ['/bin/true'],
        env: {},
        workdir,
        cores: 1,
        memoryMb: 64,
        walltimeS: 60,
      })
    }
    const seen = ended
    if (ended < jobs) {
      await new Promise<void>((resolve) => {
        wake = resolve
        if (ended !== seen) resolve()
        // The launcher is unref'd: a timer keeps this process alive while jobs run.
        setTimeout(resolve, 1000)
      })
    }
  }
  const seconds = (performance.now() - started) / 1000
  const refs = Array.from({ length: jobs }, (_, i) => ({ attemptId: `t${i}`, externalId: null }))
  const failed = [...(await executor.status(refs)).values()].filter((s) => s.state !== 'done')
  if (failed.length > 0) {
    throw new Error(`${failed.length} jobs did not end well: ${failed[0]?.reason}`)
  }
  executor.release()
  rmSync(root, { recursive: true, force: true })
  return seconds
}

const helper = sandboxHelper()
const contenders: Contender[] = [
  {
    name: 'xargs -P2',
    run: () => {
      const started = performance.now()
      execFileSync('sh', ['-c', `seq ${jobs} | xargs -P ${inFlight} -n 1 /bin/true`])
      return (performance.now() - started) / 1000
    },
  },
  { name: 'unconfined', run: () => throughExecutor('unconfined') },
  ...(helper.binary
    ? [{ name: 'site helper', run: () => throughExecutor({ ...defaultSandbox, helper: true }) }]
    : []),
  { name: 'bwrap', run: () => throughExecutor({ ...defaultSandbox, helper: false }) },
]
if (!helper.binary) console.log(`no site helper here: ${helper.reason}`)
console.log(`${jobs} jobs of /bin/true, ${inFlight} in flight; ${os.cpus().length} CPUs`)
const results = await runFairly(contenders, runs)
const floor = results[0]?.median ?? 1
for (const r of results) {
  console.log(
    `${r.name.padEnd(12)} ${r.median.toFixed(2)} s  ${((r.median / jobs) * 1000).toFixed(2)} ms/job  ${(r.median / floor).toFixed(2)}× the floor`,
  )
}
