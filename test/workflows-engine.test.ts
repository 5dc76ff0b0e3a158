/** The workflow engine end to end on the local executor, on both database backends. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { before, it } from 'node:test'
import { isAlive } from '../src/executors/run-folder.js'
import {
  cancelWorkflow,
  explainTask,
  getWorkflow,
  listTasks,
  retryWorkflow,
  submitWorkflow,
  taskLogs,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { makeLocalSite, printedLines, runUntilFinished, tempDir } from './support/workflows.js'

describeEachBackend('workflow engine (local executor)', (fixture) => {
  let site: string
  let siteRoot: string
  let engine: WorkflowEngine
  before(async () => {
    ;({ name: site, root: siteRoot } = await makeLocalSite(fixture().ctx, { cores: 2 }))
    engine = new WorkflowEngine(fixture().ctx, { workerId: 'w1', leaseMs: 60_000 })
  })

  const yaml = (body: string) => `name: test\ndefaults:\n  site: ${site}\n  backoff: 5\n${body}`

  it('runs a scatter and a fan-in to success, with outputs, history, logs and usage', async () => {
    const { ctx } = fixture()
    const dir = tempDir()
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: yaml(`tasks:
  - name: make
    scatter: { range: 4 }
    command: [sh, -c, 'echo part \${{ item }} > part-\${{ item }}.txt']
    outputs: ['part-\${{ item }}.txt']
  - name: join
    needs: [make]
    script: cat part-*.txt > all.txt; echo joined
    outputs: [all.txt]
`),
    })
    assert.equal(wf.state, 'pending')
    assert.equal(wf.taskCount, 5)
    const done = await runUntilFinished(ctx, [engine], wf.id)
    assert.equal(done.state, 'succeeded')
    assert.deepEqual(done.counts, { done: 5 })
    assert.equal(
      readFileSync(path.join(dir, 'all.txt'), 'utf8'),
      'part 0\npart 1\npart 2\npart 3\n',
    )
    const explained = await explainTask(ctx, wf.id, 'join')
    assert.deepEqual(explained.needs, ['make[0]', 'make[1]', 'make[2]', 'make[3]'])
    assert.deepEqual(
      explained.history.map((h) => h.to).filter((s) => s !== 'running'),
      ['waiting', 'ready', 'placed', 'submitted', 'done'],
    )
    assert.ok(
      explained.placement.some(
        (p) => p.site === site && p.eligible && p.reasons[0]?.startsWith('chosen'),
      ),
    )
    assert.equal((await taskLogs(ctx, wf.id, 'join')).stdout, 'joined\n')
    const usage = await ctx.db
      .selectFrom('usage_records')
      .selectAll()
      .where('workflow_id', '=', wf.id)
      .execute()
    assert.equal(usage.length, 5)
    assert.ok(usage.every((u) => u.site === site && u.cores === 1))
  })

  it('retries with backoff, fails for good, cancels downstream, and resubmits failed tasks only', async () => {
    const { ctx, clock } = fixture()
    const dir = tempDir()
    const mark = `ok-${path.basename(dir)}`
    writeFileSync(path.join(dir, 'state.txt'), 'broken\n')
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: yaml(`tasks:
  - name: ok
    command: [sh, -c, 'echo ${mark}']
  - name: flaky
    retries: 1
    inputs: [state.txt]
    command: [sh, -c, 'grep -q fixed state.txt || { echo not yet >&2; exit 3; }']
  - name: after
    needs: [flaky, ok]
    command: ['true']
`),
    })
    let state = await runUntilFinished(ctx, [engine], wf.id, 100).catch(() => undefined)
    assert.equal(state, undefined, 'it waits for the backoff rather than failing at once')
    const flaky = (await listTasks(ctx, wf.id, { state: 'retrying' })).items
    assert.equal(flaky[0]?.name, 'flaky')
    assert.equal(flaky[0]?.reason, 'exit code 3')
    clock.advance(5_001)
    state = await runUntilFinished(ctx, [engine], wf.id)
    assert.equal(state.state, 'failed')
    const byName = new Map((await listTasks(ctx, wf.id)).items.map((t) => [t.name, t]))
    assert.equal(byName.get('flaky')?.state, 'failed')
    assert.equal(byName.get('flaky')?.attempt, 2)
    assert.equal(byName.get('after')?.state, 'cancelled')
    assert.equal(byName.get('ok')?.state, 'done')
    assert.match((await taskLogs(ctx, wf.id, 'flaky')).stderr, /not yet/)

    writeFileSync(path.join(dir, 'state.txt'), 'fixed\n')
    const retried = await retryWorkflow(ctx, wf.id)
    assert.equal(retried.state, 'running')
    state = await runUntilFinished(ctx, [engine], wf.id)
    assert.equal(state.state, 'succeeded')
    assert.deepEqual(
      printedLines(siteRoot).filter((l) => l === mark),
      [mark],
      'the done task did not run again',
    )
    await assert.rejects(retryWorkflow(ctx, wf.id), { code: 'WORKFLOW_STATE_CONFLICT' })
  })

  it('reuses identical completed tasks from the cache unless told not to', async () => {
    const { ctx } = fixture()
    const dir = tempDir()
    const mark = `ran-${path.basename(dir)}`
    const runs = () => printedLines(siteRoot).filter((l) => l === mark).length
    writeFileSync(path.join(dir, 'in.txt'), 'data\n')
    const source = yaml(`tasks:
  - name: count
    inputs: [in.txt]
    outputs: [count.txt]
    command: [sh, -c, 'wc -l < in.txt > count.txt; echo ${mark}']
`)
    const first = await submitWorkflow(ctx, { workdir: dir, source })
    assert.equal((await runUntilFinished(ctx, [engine], first.id)).state, 'succeeded')
    const second = await submitWorkflow(ctx, { workdir: dir, source })
    assert.equal((await runUntilFinished(ctx, [engine], second.id)).state, 'succeeded')
    assert.equal((await listTasks(ctx, second.id)).items[0]?.cached, true)
    assert.equal(runs(), 1)
    writeFileSync(path.join(dir, 'in.txt'), 'changed\ninput\n')
    const third = await submitWorkflow(ctx, { workdir: dir, source })
    await runUntilFinished(ctx, [engine], third.id)
    assert.equal(
      (await listTasks(ctx, third.id)).items[0]?.cached,
      false,
      'changed input: runs again',
    )
    const forced = await submitWorkflow(ctx, { workdir: dir, source, noCache: true })
    await runUntilFinished(ctx, [engine], forced.id)
    assert.equal(runs(), 3)
  })

  it('cancels a workflow and kills its running process group', async () => {
    const { ctx } = fixture()
    const marker = `60.${process.pid}`
    const dir = tempDir()
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: yaml(`tasks:
  - name: long
    script: sleep ${marker} & echo $! > child.pid; wait
  - name: next
    needs: [long]
    command: ['true']
`),
    })
    const pidFile = path.join(dir, 'child.pid')
    // The shell creates the file before it writes the pid: wait for the number, not the file.
    const hasPid = () => existsSync(pidFile) && /^\d+\s*$/.test(readFileSync(pidFile, 'utf8'))
    for (let i = 0; i < 500 && !hasPid(); i++) {
      await engine.runOnce()
      await new Promise((r) => setTimeout(r, 10))
    }
    // Jobs have their own PID namespace: find the child among this machine's processes.
    const childPid = processWithArgs('sleep', marker)
    assert.ok(childPid !== undefined && isAlive(childPid))
    const cancelled = await cancelWorkflow(ctx, wf.id)
    assert.equal(cancelled.state, 'cancelled')
    // Within the executor's 5 s SIGTERM→SIGKILL grace: SIGTERM ends the group, even when the
    // cancel crosses the launcher's "started" reply (then the launcher kills it).
    const deadline = Date.now() + 4_000
    while (isAlive(childPid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(isAlive(childPid), false, 'the whole process group was killed')
    await engine.heartbeat()
    assert.equal(engine.trackedCount, 0)
    await assert.rejects(cancelWorkflow(ctx, wf.id), { code: 'WORKFLOW_STATE_CONFLICT' })
  })

  it('lets another worker take over when a worker stops heartbeating, without running twice', async () => {
    const { ctx, clock } = fixture()
    const dir = tempDir()
    const wf = await submitWorkflow(ctx, {
      workdir: dir,
      source: yaml(`tasks:
  - name: a
    scatter: { range: 3 }
    command: [sh, -c, 'echo ${path.basename(dir)}-\${{ item }}']
`),
    })
    const dying = new WorkflowEngine(ctx, { workerId: 'dies', leaseMs: 1000 })
    assert.ok((await dying.runOnce()) > 0)
    // `dying` is never called again: its tasks' leases run out.
    clock.advance(1001)
    const other = new WorkflowEngine(ctx, { workerId: 'takes-over', leaseMs: 60_000 })
    assert.equal((await runUntilFinished(ctx, [other], wf.id)).state, 'succeeded')
    const mine = printedLines(siteRoot).filter((l) => l.startsWith(`${path.basename(dir)}-`))
    assert.deepEqual(
      mine.sort(),
      [0, 1, 2].map((i) => `${path.basename(dir)}-${i}`),
    )
  })

  it('fails a task that no site can run, with the reason', async () => {
    const { ctx } = fixture()
    const wf = await submitWorkflow(ctx, {
      workdir: tempDir(),
      source: yaml('tasks:\n  - { name: huge, command: [x], resources: { cores: 64 } }\n'),
    })
    assert.equal((await runUntilFinished(ctx, [engine], wf.id)).state, 'failed')
    const t = await explainTask(ctx, wf.id, 'huge')
    assert.match(t.task.reason ?? '', /no eligible site/)
    assert.ok(
      t.placement.some(
        (p) => p.site === site && !p.eligible && /too few cores/.test(p.reasons[0] ?? ''),
      ),
    )
    assert.equal((await getWorkflow(ctx, wf.id)).counts.failed, 1)
  })

  it('refuses an invalid workflow and stores nothing', async () => {
    const { ctx } = fixture()
    const before = await ctx.db
      .selectFrom('workflows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    await assert.rejects(
      submitWorkflow(ctx, {
        source: 'name: x\ntasks:\n  - { name: a, needs: [b], command: [x] }\n',
      }),
      { code: 'WORKFLOW_INVALID' },
    )
    const after = await ctx.db
      .selectFrom('workflows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    assert.equal(Number(after.n), Number(before.n))
  })
})

/** The pid of a process running exactly `command arg`, as this machine sees it. */
function processWithArgs(command: string, arg: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `${command}\0${arg}\0`) {
        return Number(entry)
      }
    } catch {
      // gone meanwhile
    }
  }
  return undefined
}
