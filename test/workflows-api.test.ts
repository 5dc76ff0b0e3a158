/** Workflows over HTTP and through the CLI: client → API → engine → local executor. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { promisify } from 'node:util'
import { type ContinuumClient } from '../src/client/index.js'
import { ContinuumError } from '../src/platform/index.js'
import { runAgents, silentLogger } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite, tempDir } from './support/workflows.js'

const run = promisify(execFile)

async function codeOf(promise: Promise<unknown>): Promise<ContinuumError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof ContinuumError, String(err))
    return err
  }
  assert.fail('expected an error')
}

describeEachBackend('workflows over HTTP and the CLI', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let site: string
  before(async () => {
    // A real clock: the CLI test waits for real processes.
    server = await startTestServer(fixture().database)
    client = server.client
    site = (await makeLocalSite(fixture().ctx)).name
  })
  after(() => server.close())

  async function drive(id: string): Promise<void> {
    const engine = new WorkflowEngine(
      { ...fixture().ctx, clock: { now: () => new Date() } },
      { workerId: 'api-test' },
    )
    for (let i = 0; i < 2000; i++) {
      const handled = await engine.runOnce()
      const w = await client.workflows.get(id)
      if (['succeeded', 'failed', 'cancelled'].includes(w.state)) return
      if (handled === 0) await new Promise((r) => setTimeout(r, 10))
    }
    assert.fail('workflow did not finish')
  }

  it('submits, runs, lists, explains, shows logs and usage, and exports APEL and metrics', async () => {
    const dir = tempDir()
    const w = await client.workflows.submit({
      workdir: dir,
      filename: 'hello.yaml',
      parameters: { who: 'Europe' },
      source: `name: hello\ncommunity: lofar\nparameters: { who: world }\ndefaults: { site: ${site} }\ntasks:\n  - { name: greet, command: [echo, 'hello \${{ params.who }}'] }\n  - { name: after, needs: [greet], command: ['true'] }\n`,
    })
    assert.equal(w.state, 'pending')
    assert.deepEqual(w.counts, { ready: 1, waiting: 1 })
    await drive(w.id)
    const got = await client.workflows.get(w.id)
    assert.equal(got.state, 'succeeded')
    assert.ok((await client.workflows.list()).items.some((x) => x.id === w.id))
    assert.deepEqual(
      (await client.workflows.tasks(w.id)).items.map((t) => [t.name, t.state]),
      [
        ['after', 'done'],
        ['greet', 'done'],
      ],
    )
    assert.equal((await client.workflows.logs(w.id, 'greet')).stdout, 'hello Europe\n')
    const explained = await client.workflows.explain(w.id, 'after')
    assert.deepEqual(explained.needs, ['greet'])
    const usage = await client.workflows.usage({ groupBy: 'community' })
    assert.equal(usage.rows.find((r) => r.key === 'lofar')?.tasks, 2)
    assert.match(
      (await client.workflows.usageApel({ community: 'lofar' })).message,
      /^APEL-summary-job-message: v0.3\nSite: .*\n[\s\S]*VO: lofar\n[\s\S]*NumberOfJobs: 2\n/,
    )
    const metrics = await fetch(`${server.url}/metrics`)
    assert.equal(metrics.status, 200)
    assert.match(await metrics.text(), /continuum_workflow_tasks\{state="done"\} \d+/)
  })

  it('answers invalid workflows with every error located, and bad ids and names with clear codes', async () => {
    const err = await codeOf(
      client.workflows.submit({
        filename: 'bad.yaml',
        source:
          'name: bad\ntasks:\n  - { name: a, needs: [ghost], command: [x] }\n  - { name: b, command: [x], cores: 2 }\n',
      }),
    )
    assert.equal(err.code, 'WORKFLOW_INVALID')
    const errors = err.details.errors as Array<{ line: number; path: string }>
    assert.deepEqual(
      errors.map((e) => [e.line, e.path]),
      [[4, 'tasks[1].cores']],
    )
    const dangling = await codeOf(
      client.workflows.submit({
        source: 'name: bad\ntasks:\n  - { name: a, needs: [ghost], command: [x] }\n',
      }),
    )
    assert.match(
      dangling.message,
      /workflow\.yaml:3:\d+ tasks\[0\]\.needs\[0\]: task 'ghost' does not exist/,
    )
    assert.equal(
      (await codeOf(client.workflows.submit({ source: 'x', workdir: 'relative/path' }))).code,
      'VALIDATION_FAILED',
    )
    // Issue 15: a client cannot have the server run (and stage out) in a folder of its choice.
    const before = (await client.workflows.list()).items.length
    const link = path.join(tempDir(), 'keys-link')
    symlinkSync('/etc', link)
    for (const workdir of ['/etc', '/root', '/', link, '/tmp/continuum-no-such-folder']) {
      const refused = await codeOf(
        client.workflows.submit({ source: 'name: x\ntasks: []\n', workdir }),
      )
      assert.equal(refused.code, 'WORKDIR_REFUSED', workdir)
    }
    assert.equal((await client.workflows.list()).items.length, before, 'nothing was stored')
    assert.equal(
      (await codeOf(client.workflows.submit({ source: 'name: x\ntasks: []\n', bogus: 1 } as never)))
        .code,
      'VALIDATION_FAILED',
    )
    assert.equal((await codeOf(client.workflows.get('not-a-uuid'))).code, 'VALIDATION_FAILED')
    assert.equal(
      (await codeOf(client.workflows.get('01900000-0000-7000-8000-000000000000'))).code,
      'WORKFLOW_NOT_FOUND',
    )
    const w = await client.workflows.submit({
      workdir: tempDir(),
      source: `name: one\ndefaults: { site: ${site} }\ntasks:\n  - { name: a, command: ['true'] }\n`,
    })
    assert.equal((await codeOf(client.workflows.explain(w.id, '../../etc'))).code, 'TASK_NOT_FOUND')
    const own = await client.workflows.submit({
      source: `name: own\ndefaults: { site: ${site} }\ntasks:\n  - { name: a, command: ['true'] }\n`,
    })
    assert.equal(
      own.workdir,
      path.join(os.tmpdir(), 'continuum-workflows', own.id),
      "without a workdir, a workflow gets a folder of its own, not the server's working directory",
    )
    assert.ok(existsSync(own.workdir))
    await client.workflows.cancel(own.id)
    assert.equal((await codeOf(client.workflows.retry(w.id))).code, 'WORKFLOW_STATE_CONFLICT')
    assert.equal((await client.workflows.cancel(w.id)).state, 'cancelled')
    assert.equal((await codeOf(client.workflows.cancel(w.id))).code, 'WORKFLOW_STATE_CONFLICT')
  })

  it('runs a workflow with `continuum workflow run --watch` and exits non-zero when it fails', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'wf.yaml')
    writeFileSync(
      file,
      `name: cli\ndefaults: { site: ${site} }\ntasks:\n  - { name: a, scatter: { range: 3 }, command: [sh, -c, 'echo \${{ item }} > out-\${{ item }}'] }\n`,
    )
    const engine = new WorkflowEngine(
      { ...fixture().ctx, clock: { now: () => new Date() } },
      { workerId: 'cli-test', idleMs: 20 },
    )
    const agents = runAgents([engine], silentLogger)
    try {
      const bin = path.resolve('bin/continuum.js')
      const ok = await run(process.execPath, [
        bin,
        '--server',
        server.url,
        '--token',
        await server.mintToken({ sub: 'cli-admin', groups: ['/continuum/admins'] }),
        '--json',
        'workflow',
        'run',
        file,
        '--watch',
      ])
      const result = JSON.parse(ok.stdout) as { state: string; counts: Record<string, number> }
      assert.equal(result.state, 'succeeded')
      assert.equal(result.counts.done, 3)
      writeFileSync(
        file,
        `name: cli\ndefaults: { site: ${site} }\ntasks:\n  - { name: a, command: [sh, -c, 'exit 4'] }\n`,
      )
      const failed = await run(process.execPath, [
        bin,
        '--server',
        server.url,
        '--token',
        await server.mintToken({ sub: 'cli-admin', groups: ['/continuum/admins'] }),
        'workflow',
        'run',
        file,
        '--watch',
      ]).catch((e: { code: number; stdout: string }) => e)
      assert.equal((failed as { code: number }).code, 5)
      const bad = await run(process.execPath, [
        bin,
        '--server',
        server.url,
        '--token',
        await server.mintToken({ sub: 'cli-admin', groups: ['/continuum/admins'] }),
        'workflow',
        'run',
        path.join(dir, 'missing.yaml'),
      ]).catch((e: { code: number; stderr: string }) => e)
      assert.equal((bad as { code: number }).code, 2)
    } finally {
      await agents.stop()
    }
  })
})
