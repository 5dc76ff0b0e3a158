/**
 * The ARC CE executor against a real A-REX 6.17 (started here with its own test CA, fork back
 * end, REST interface on loopback), with inputs the CE stages itself from a real nginx WebDAV
 * server. Skips locally without the ARC packages or root; under CI=true it must run.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ArcExecutor, type JobSpec, type JobStatus } from '../src/executors/index.js'
import { newId } from '../src/platform/index.js'
import { arcSkipReason, startArcCe, type ArcCe } from './support/arc-ce.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { tempDir } from './support/workflows.js'

const skip = arcSkipReason() || nginxSkipReason()
let ce: ArcCe | undefined
let dav: NginxWebdav | undefined

function executor(overrides: { root?: string; cert?: boolean } = {}): ArcExecutor {
  const c = ce as ArcCe
  return new ArcExecutor({
    endpoint: c.url,
    root: overrides.root ?? tempDir('continuum-arc-runs-'),
    credentials: {
      ca: readFileSync(c.caFile),
      ...(overrides.cert === false
        ? {}
        : { cert: readFileSync(c.certFile), key: readFileSync(c.keyFile) }),
    },
    timeoutMs: 20_000,
  })
}

function job(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    attemptId: `${newId()}.1`,
    argv: ['true'],
    env: {},
    workdir: tempDir(),
    cores: 1,
    memoryMb: 200,
    walltimeS: 600,
    ...overrides,
  }
}

/** Polls the CE (as the engine does) until every attempt has ended; A-REX moves every ~2 s. */
async function finished(ex: ArcExecutor, jobs: JobSpec[]): Promise<Map<string, JobStatus>> {
  const refs = jobs.map((j) => ({ attemptId: j.attemptId, externalId: null }))
  const deadline = Date.now() + 240_000
  for (;;) {
    const states = await ex.status(refs)
    if ([...states.values()].every((s) => s.state === 'done' || s.state === 'failed')) {
      return states
    }
    if (Date.now() > deadline) {
      throw new Error(`ARC jobs did not end: ${JSON.stringify([...states])}\n${ce?.log()}`)
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

// The jobs wait on A-REX's few-second cycles, not on this machine: the cases run side by side.
describe('ARC CE executor', { skip, timeout: 600_000, concurrency: true }, () => {
  before(async () => {
    ;[ce, dav] = await Promise.all([startArcCe(), startNginxWebdav()])
  })
  after(async () => {
    ce?.stop()
    await dav?.stop()
  })

  it('runs the exact argv and environment, as the mapped account, not as the server', async () => {
    const ex = executor()
    const awkward = ['a b', '$HOME', '`id`', "it's", 'q"uote', 'back\\slash', 'new\nline', '']
    const spec = job({
      argv: [
        'sh',
        '-c',
        'printf "%s|" "$@" > args.txt; id -u > uid.txt; printf %s "$GREETING"',
        'sh',
        ...awkward,
      ],
      env: { GREETING: "hello 'world'\n$USER" },
    })
    await ex.submit(spec)
    const status = (await finished(ex, [spec])).get(spec.attemptId)
    assert.equal(status?.state, 'done', JSON.stringify(status))
    assert.equal(status?.exitCode, 0)
    assert.equal(readFileSync(path.join(spec.workdir, 'args.txt'), 'utf8'), `${awkward.join('|')}|`)
    assert.notEqual(readFileSync(path.join(spec.workdir, 'uid.txt'), 'utf8').trim(), '0')
    const logs = await ex.logs({ attemptId: spec.attemptId, externalId: null })
    assert.equal(logs.stdout, "hello 'world'\n$USER")
    // The launcher's own file is not an output of the task.
    assert.equal(existsSync(path.join(spec.workdir, '.cx-task-command')), false)
    ex.close()
  })

  it('has the CE fetch inputs by URL, takes local inputs up, and brings outputs back', async () => {
    const d = dav as NginxWebdav
    writeFileSync(path.join(d.root, 'remote.txt'), 'from the federation\n')
    const ex = executor()
    const spec = job({
      argv: ['sh', '-c', 'mkdir -p sub; cat remote.txt local.txt > sub/joined.txt; echo done'],
      inputs: ['remote.txt', 'local.txt'],
      inputUrls: [{ name: 'remote.txt', url: `${d.url}/remote.txt` }],
    })
    writeFileSync(path.join(spec.workdir, 'local.txt'), 'from here\n')
    await ex.submit(spec)
    const status = (await finished(ex, [spec])).get(spec.attemptId)
    assert.equal(status?.state, 'done', `${JSON.stringify(status)}\n${ce?.log()}`)
    assert.equal(
      readFileSync(path.join(spec.workdir, 'sub', 'joined.txt'), 'utf8'),
      'from the federation\nfrom here\n',
    )
    // Inputs are not brought back over the workflow's own files.
    assert.equal(readFileSync(path.join(spec.workdir, 'local.txt'), 'utf8'), 'from here\n')
    assert.equal(existsSync(path.join(spec.workdir, 'remote.txt')), false)
    ex.close()
  })

  it('answers many jobs in one status call and tells failures with their exit code', async () => {
    const ex = executor()
    const jobs = [
      job({ argv: ['true'] }),
      job({ argv: ['sh', '-c', 'exit 3'] }),
      job({ argv: ['sh', '-c', 'echo oops >&2; exit 1'] }),
    ]
    const ids = await ex.submitMany(jobs)
    assert.equal(new Set(ids.values()).size, 3)
    const before = ex.client.calls
    const refs = jobs.map((j) => ({ attemptId: j.attemptId, externalId: null }))
    await ex.status(refs)
    assert.ok(
      ex.client.calls - before <= 2,
      `one status round took ${ex.client.calls - before} calls`,
    )
    const states = await finished(ex, jobs)
    assert.equal(states.get(jobs[0]!.attemptId)?.state, 'done')
    assert.equal(states.get(jobs[1]!.attemptId)?.state, 'failed')
    assert.equal(states.get(jobs[1]!.attemptId)?.exitCode, 3)
    assert.match(states.get(jobs[1]!.attemptId)?.reason ?? '', /exit code 3/)
    const logs = await ex.logs({ attemptId: jobs[2]!.attemptId, externalId: null })
    assert.equal(logs.stderr, 'oops\n')
    ex.close()
  })

  it('cancels a running job', async () => {
    const ex = executor()
    const spec = job({ argv: ['sleep', '300'] })
    await ex.submit(spec)
    const ref = { attemptId: spec.attemptId, externalId: null }
    for (let i = 0; i < 120; i++) {
      if ((await ex.status([ref])).get(spec.attemptId)?.state === 'running') break
      await new Promise((r) => setTimeout(r, 1000))
    }
    await ex.cancel(ref)
    const status = (await finished(ex, [spec])).get(spec.attemptId)
    assert.equal(status?.state, 'failed')
    assert.ok(status?.reason, 'a cancelled job says why it failed')
    ex.close()
  })

  it('after a crash between asking the CE and recording its answer, never submits twice', async () => {
    const root = tempDir('continuum-arc-runs-')
    const first = executor({ root })
    const spec = job({ argv: ['sh', '-c', 'echo once >> marks.txt'] })
    const { externalId } = await first.submit(spec)
    first.close()
    // The process died before arc.json was written: only the `submitting` mark is left.
    rmSync(path.join(root, spec.attemptId, 'arc.json'))
    const second = executor({ root })
    assert.equal((await second.submit(spec)).externalId, externalId)
    const status = (await finished(second, [spec])).get(spec.attemptId)
    assert.equal(status?.state, 'done')
    assert.equal(readFileSync(path.join(spec.workdir, 'marks.txt'), 'utf8'), 'once\n')
    // Ended and cleaned on the CE: the outcome still answers from this side's record.
    assert.equal(
      (await second.status([{ attemptId: spec.attemptId, externalId }])).get(spec.attemptId)?.state,
      'done',
    )
    second.close()
  })

  it('refuses unsafe input names and reports refused credentials clearly', async () => {
    const ex = executor()
    await assert.rejects(ex.submit(job({ inputs: ['../escape.txt'] })), {
      code: 'VALIDATION_FAILED',
    })
    ex.close()
    const anonymous = executor({ cert: false })
    await assert.rejects(anonymous.client.list(), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'EXECUTOR_UNAVAILABLE')
      return true
    })
    anonymous.close()
  })
})
