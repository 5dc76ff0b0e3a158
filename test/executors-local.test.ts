/**
 * The local executor's cancel against a real launcher and real processes, including a cancel
 * sent before the launcher's "started" reply is read (the job may be running already).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { LocalExecutor } from '../src/executors/index.js'
import { isAlive } from '../src/executors/run-folder.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-local-'))
const executor = new LocalExecutor({ root, cores: 2, memoryMb: 1024, killGraceMs: 10_000 })

it('never leaves a job running when cancelled right after submission', async () => {
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'continuum-local-work-'))
  // Jobs have their own PID namespace: each sleeps a duration of its own, found in /proc.
  const markers: string[] = []
  for (let i = 0; i < 10; i++) {
    const attemptId = `cancel-${process.pid}-${i}`
    const marker = `60.${process.pid}${i}`
    markers.push(marker)
    const { externalId } = await executor.submit({
      attemptId,
      argv: ['/bin/sh', '-c', `exec sleep ${marker}`],
      env: {},
      workdir,
      cores: 1,
      memoryMb: 10,
      walltimeS: 120,
    })
    // No await in between: the launcher may or may not have started it yet.
    await executor.cancel({ attemptId, externalId })
  }
  // A job that needs both cores starts only once every cancelled job that did start has ended
  // (the launcher frees their cores on exit): wait for it, well within the 10 s SIGKILL grace.
  const sentinel = path.join(workdir, 'sentinel')
  await executor.submit({
    attemptId: `sentinel-${process.pid}`,
    argv: ['/bin/sh', '-c', `touch ${sentinel}`],
    env: {},
    workdir,
    cores: 2,
    memoryMb: 10,
    walltimeS: 120,
  })
  // Its file reaches the workflow folder when its attempt is reported done.
  const deadline = Date.now() + 4_000
  const sentinelRef = { attemptId: `sentinel-${process.pid}`, externalId: null }
  while (Date.now() < deadline) {
    if ((await executor.status([sentinelRef])).get(sentinelRef.attemptId)?.state === 'done') break
    await new Promise((r) => setTimeout(r, 20))
  }
  // A cancelled sandbox ends when its PID namespace is torn down (bwrap --die-with-parent):
  // the kernel does that right after the launcher sees the job's wrapper exit, not at the same
  // instant. The promise is that nothing outlives the cancel's grace period (10 s, after which
  // the group gets SIGKILL), counted here from the sentinel with a 5 s margin for delivery.
  let alive = sleepers(markers).filter((pid) => isAlive(pid))
  const graceEnd = Date.now() + 15_000
  while (alive.length > 0 && Date.now() < graceEnd) {
    await new Promise((r) => setTimeout(r, 50))
    alive = sleepers(markers).filter((pid) => isAlive(pid))
  }
  assert.deepEqual(alive, [], 'no cancelled job is still running after the grace period')
  assert.ok(existsSync(sentinel), 'the cores of the cancelled jobs came back')
})

/** Pids of `sleep MARKER` processes on this machine. */
function sleepers(markers: string[]): number[] {
  const wanted = new Set(markers.map((m) => `sleep\0${m}\0`))
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (wanted.has(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) out.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return out
}
