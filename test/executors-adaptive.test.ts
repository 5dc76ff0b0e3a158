/**
 * Defaults that are fast without tuning: a local site keeps more short jobs in flight than
 * long ones, a job's end is announced (so the engine looks at once, not after its idle wait),
 * and an agent runner woken while idle starts its next round at once.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { LocalExecutor } from '../src/executors/index.js'
import { runAgents, silentLogger, type Agent } from '../src/platform/index.js'

function job(attemptId: string, workdir: string) {
  return { attemptId, argv: ['true'], env: {}, workdir, cores: 1, memoryMb: 10, walltimeS: 60 }
}

async function until(done: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

it('grows its in-flight limit while jobs are short, and says when each job ends', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-adaptive-'))
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'continuum-adaptive-work-'))
  const executor = new LocalExecutor({ root, cores: 2, memoryMb: 1024 })
  assert.equal(executor.maxInFlight, 4, 'before any job has ended: 2 × cores')
  let ended = 0
  executor.onJobEnded(() => ended++)
  const ids = Array.from({ length: 6 }, (_, i) => `short-${process.pid}-${i}`)
  for (const id of ids) await executor.submit(job(id, workdir))
  const refs = ids.map((attemptId) => ({ attemptId, externalId: null }))
  await until(async () => {
    const states = [...(await executor.status(refs)).values()].map((s) => s.state)
    return states.every((s) => s === 'done')
  })
  assert.equal(ended, ids.length, 'every ending is announced once')
  // `true` runs in well under a second: about a second of work per core is kept in flight.
  assert.ok(executor.maxInFlight > 4, `limit ${executor.maxInFlight} grew past 2 × cores`)
  assert.ok(executor.maxInFlight <= 256)

  const fixed = new LocalExecutor({ root, cores: 2, memoryMb: 1024, maxInFlight: 3 })
  assert.equal(fixed.maxInFlight, 3, "a site's own setting is kept")
})

it('starts the next round at once when an idle agent is woken', { timeout: 10_000 }, async () => {
  let wake: (() => void) | undefined
  let rounds = 0
  let second: () => void = () => {}
  const secondRound = new Promise<void>((resolve) => (second = resolve))
  const agent: Agent = {
    name: 'test.sleepy',
    // Without the wake the next round would come a minute later (the test times out first).
    idleMs: 60_000,
    wakeWith: (w) => (wake = w),
    runOnce: () => {
      rounds++
      if (rounds === 2) second()
      return Promise.resolve(0)
    },
  }
  const runner = runAgents([agent], silentLogger)
  await until(() => Promise.resolve(rounds === 1))
  assert.ok(wake, 'the runner hands the agent its wake')
  wake()
  await secondRound
  await runner.stop()
  assert.equal(rounds, 2)
})

it('lets its launcher go when released, once the launcher has no job left', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-release-'))
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'continuum-release-work-'))
  const executor = new LocalExecutor({ root, cores: 1, memoryMb: 256 })
  const id = `release-${process.pid}`
  await executor.submit({ ...job(id, workdir), argv: ['/bin/sh', '-c', 'sleep 0.3'] })
  const pid = executor.launcherPid
  assert.ok(pid !== undefined, 'a launcher runs the job')
  // Released with its job still running: the job is not cut short, and is read from its run
  // folder afterwards; the launcher then exits instead of lingering for the process's life.
  executor.release()
  const alive = (p: number) => {
    try {
      process.kill(p, 0)
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))
    } catch {
      return false
    }
  }
  await until(async () => !alive(pid))
  const status = await executor.status([{ attemptId: id, externalId: null }])
  assert.equal(status.get(id)?.state, 'done')
})
