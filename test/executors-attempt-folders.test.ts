/**
 * One folder per task attempt (issue 15): a confined task works in a fresh folder of its own,
 * seen at its workflow folder's path, with only its declared inputs there (read-only). What it
 * makes reaches the workflow folder when it ends well; a failed attempt leaves nothing there, so
 * its retry starts clean. Links a task makes are never moved back (a later task's input would
 * be bound from wherever they lead), nor is a link someone other than the server left followed.
 * Needs bubblewrap: skipped locally without it, run under CI=true (.ci/run installs it).
 */
import assert from 'node:assert/strict'
import {
  existsSync,
  lchownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { LocalExecutor, type JobSpec } from '../src/executors/index.js'

const hasBwrap = existsSync('/usr/bin/bwrap')
const skip = !hasBwrap && process.env.CI !== 'true' ? 'bubblewrap is not installed' : false

let n = 0
function job(workdir: string, script: string, inputs: string[] = []): JobSpec {
  return {
    attemptId: `attempt-${process.pid}-${++n}.1`,
    argv: ['/bin/sh', '-c', script],
    env: {},
    workdir,
    inputs,
    cores: 1,
    memoryMb: 64,
    walltimeS: 60,
  }
}

async function run(executor: LocalExecutor, spec: JobSpec) {
  await executor.submit(spec)
  const ref = { attemptId: spec.attemptId, externalId: null }
  for (;;) {
    const status = (await executor.status([ref])).get(spec.attemptId)
    if (status && (status.state === 'done' || status.state === 'failed')) {
      const logs = await executor.logs(ref)
      return { state: status.state, reason: status.reason, out: logs.stdout, err: logs.stderr }
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a folder per task attempt', { skip }, () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-runs-'))
  const executor = new LocalExecutor({ root, cores: 2, memoryMb: 1024 })

  it('shows a task only its declared inputs, read-only, and none of what other tasks make', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-wf-'))
    writeFileSync(path.join(work, 'declared.txt'), 'mine\n')
    writeFileSync(path.join(work, 'undeclared.txt'), 'not for this task\n')
    // A task still running writes into "the same" folder: its attempt's own.
    const writer = run(
      executor,
      job(work, 'echo partial > shared.out; sleep 1; echo whole > shared.out'),
    )
    const reader = await run(
      executor,
      job(
        work,
        [
          'ls -A',
          'cat declared.txt',
          'cat undeclared.txt 2>/dev/null && echo UNDECLARED-SEEN',
          'test -e shared.out && echo OTHER-TASK-SEEN',
          '(echo changed > declared.txt) 2>/dev/null && echo INPUT-WRITTEN',
          'echo result > reader.out',
        ].join('; '),
        ['declared.txt'],
      ),
    )
    assert.equal(reader.state, 'done', reader.err)
    assert.match(reader.out, /^mine$/m, 'its declared input is there')
    assert.doesNotMatch(reader.out, /UNDECLARED-SEEN|OTHER-TASK-SEEN|INPUT-WRITTEN/)
    assert.equal(readFileSync(path.join(work, 'declared.txt'), 'utf8'), 'mine\n')
    assert.equal(readFileSync(path.join(work, 'reader.out'), 'utf8'), 'result\n')
    const w = await writer
    assert.equal(w.state, 'done', w.err)
    assert.equal(readFileSync(path.join(work, 'shared.out'), 'utf8'), 'whole\n')
  })

  it('leaves nothing of a failed attempt, and its retry starts in an empty folder', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-wf-'))
    const first = await run(executor, job(work, 'echo half > result.txt; mkdir d; exit 3'))
    assert.equal(first.state, 'failed')
    assert.deepEqual(readdirSync(work), [], 'no half-written output reaches the workflow folder')
    const retry = await run(
      executor,
      job(work, 'test -e result.txt && echo LEFTOVER; echo done > result.txt'),
    )
    assert.equal(retry.state, 'done', retry.err)
    assert.doesNotMatch(retry.out, /LEFTOVER/)
    assert.equal(readFileSync(path.join(work, 'result.txt'), 'utf8'), 'done\n')
    assert.deepEqual(readdirSync(path.join(root, '.work')), [], 'attempt folders are removed')
  })

  it('moves regular files and folders back, never the links a task makes', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-wf-'))
    const r = await run(
      executor,
      job(
        work,
        [
          'mkdir -p out/sub',
          'echo a > out/sub/a.txt',
          'ln -s /etc/hostname out/host',
          'ln -s /etc/hostname top-link',
          'mkfifo out/pipe',
        ].join('; '),
      ),
    )
    assert.equal(r.state, 'done', r.err)
    assert.equal(readFileSync(path.join(work, 'out/sub/a.txt'), 'utf8'), 'a\n')
    assert.equal(existsSync(path.join(work, 'top-link')), false)
    assert.equal(lstatSync(path.join(work, 'out/host'), { throwIfNoEntry: false }), undefined)
    assert.equal(lstatSync(path.join(work, 'out/pipe'), { throwIfNoEntry: false }), undefined)
  })

  it('collects attempts that end together into the same new folders', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-wf-'))
    const specs = [0, 1, 2, 3].map((i) =>
      job(work, `mkdir -p out/deep && echo ${i} > out/deep/f${i}`),
    )
    for (const spec of specs) await executor.submit(spec)
    const refs = specs.map((s) => ({ attemptId: s.attemptId, externalId: null }))
    // Wait until all have exited, then settle them in one status call (as one engine round does).
    const ended = () => refs.every((r) => existsSync(path.join(root, r.attemptId, 'rc')))
    while (!ended() || executor.load().queued + executor.load().running > 0) {
      await new Promise((r) => setTimeout(r, 20))
    }
    const states = await executor.status(refs)
    for (const r of refs) {
      assert.equal(states.get(r.attemptId)?.state, 'done', states.get(r.attemptId)?.reason ?? '')
    }
    assert.deepEqual(readdirSync(path.join(work, 'out/deep')).sort(), ['f0', 'f1', 'f2', 'f3'])
  })

  it('does not follow an input link that the server did not make', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to give a link another owner')
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-attempt-wf-'))
    const secret = path.join(mkdtempSync(path.join(os.tmpdir(), 'continuum-secret-')), 'key')
    writeFileSync(secret, 'private signing key', { mode: 0o644 })
    symlinkSync(secret, path.join(work, 'planted'))
    lchownSync(path.join(work, 'planted'), 65534, 65534)
    symlinkSync(secret, path.join(work, 'staged'))
    const r = await run(
      executor,
      job(work, 'cat planted 2>/dev/null; cat staged', ['planted', 'staged']),
    )
    assert.equal(r.state, 'done', r.err)
    assert.equal(
      r.out,
      'private signing key',
      'a link the server made is followed once, the other one not at all',
    )
  })
})
