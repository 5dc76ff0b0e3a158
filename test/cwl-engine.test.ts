/**
 * CWL through the engine (issue 19): a CWL workflow submitted over the API becomes engine tasks
 * — a scatter over its inputs one task per element, a scatter over upstream outputs one task,
 * a File passed between steps — placed on a local site, run confined by its sandbox, and its
 * CWL output object read back. Bad documents are refused with a clear code and store nothing.
 * Both backends.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { runAgents, silentLogger, systemClock } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { runCli } from './support/cli.js'
import { makeLocalSite, runUntilFinished, tempDir } from './support/workflows.js'

const fixtures = new URL('./fixtures/cwl-engine/', import.meta.url).pathname
const read = (name: string) => readFileSync(path.join(fixtures, name), 'utf8')
const b64 = (name: string) => Buffer.from(read(name)).toString('base64')
// Its own folder: another test file's workflows, made meanwhile, must not change the count below.
const workflowsRoot = mkdtempSync(path.join(os.tmpdir(), 'continuum-cwl-workflows-'))
const bundle = ['tools/say.cwl', 'tools/size.cwl', 'tools/gather.cwl', 'data/note.txt']

describeEachBackend('CWL documents run through the engine', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  before(async () => {
    server = await startTestServer(fixture().database, { workflowsRoot })
    client = server.client
    await makeLocalSite(fixture().ctx)
  })
  after(() => server.close())

  const run = async (id: string) => {
    const ctx = { ...fixture().ctx, clock: systemClock }
    return runUntilFinished(ctx, [new WorkflowEngine(ctx, { workerId: 'cwl' })], id)
  }

  it('runs a scatter and a File passed between steps as confined tasks, and gives the output object', async () => {
    const wf = await client.workflows.submit({
      source: read('wf.cwl'),
      filename: 'wf.cwl',
      files: bundle.map((p) => ({ path: p, content: b64(p) })),
      cwlJob: read('job.yml'),
    })
    assert.equal(wf.name, 'word-sizes')
    // `say` scatters over the workflow's input: one task per word; `size` scatters over say's
    // outputs (not known yet): one task, which fans out into one per element once they are
    // known; `gather`: one.
    assert.equal(wf.taskCount, 5)
    const end = await run(wf.id)
    assert.equal(end.state, 'succeeded')
    const tasks = (await client.workflows.tasks(wf.id)).items
    assert.deepEqual(tasks.map((t) => t.name).sort(), [
      'gather',
      'say[0]',
      'say[1]',
      'say[2]',
      'size',
      'size[0]',
      'size[1]',
      'size[2]',
    ])
    assert.equal((await client.workflows.get(wf.id)).taskCount, 8)
    const { output } = await client.workflows.cwlOutput(wf.id)
    const sizes = output.sizes as Array<{ path: string; class: string; size: number }>
    assert.equal(sizes.length, 3)
    const contents = async (p: string) =>
      Buffer.from((await client.workflows.file(wf.id, p)).content, 'base64').toString()
    assert.deepEqual(await Promise.all(sizes.map((s) => contents(s.path).then((t) => t.trim()))), [
      '2',
      '3',
      '4',
    ])
    const total = output.total as { path: string; size: number; basename: string }
    assert.equal(total.basename, 'total.txt')
    assert.equal(await contents(total.path), '2\n3\n4\nthe end\n')
    assert.ok(!path.isAbsolute(total.path), 'paths are relative to the workflow folder')
  })

  it('finishes after the engine that dispatched its tasks is gone: leases taken over, nothing run twice', async () => {
    const wf = await client.workflows.submit({
      source: read('wf.cwl'),
      filename: 'wf.cwl',
      files: bundle.map((p) => ({ path: p, content: b64(p) })),
      cwlJob: read('job.yml'),
      // The first test ran the same document: its results are not reused, so that this runs.
      noCache: true,
    })
    const ctx = { ...fixture().ctx, clock: systemClock }
    const first = new WorkflowEngine(ctx, { workerId: 'cwl-first', leaseMs: 400 })
    const launched = (t: { state: string }) => t.state === 'submitted' || t.state === 'running'
    for (let round = 0; round < 100; round++) {
      await first.runOnce()
      if ((await client.workflows.tasks(wf.id)).items.some(launched)) break
    }
    assert.ok((await client.workflows.tasks(wf.id)).items.some(launched))
    // The first engine does nothing more (its server was killed): its leases run out, and
    // another takes its jobs over by attempt id and builds the later steps' commands.
    const second = new WorkflowEngine(ctx, { workerId: 'cwl-second', leaseMs: 400 })
    assert.equal((await runUntilFinished(ctx, [second], wf.id)).state, 'succeeded')
    const tasks = (await client.workflows.tasks(wf.id)).items
    assert.deepEqual(
      tasks.map((t) => t.attempt),
      tasks.map(() => 1),
    )
    const { output } = await client.workflows.cwlOutput(wf.id)
    const total = output.total as { path: string }
    const text = await client.workflows.file(wf.id, total.path)
    assert.equal(Buffer.from(text.content, 'base64').toString(), '2\n3\n4\nthe end\n')
  })

  it('runs `continuum workflow run wf.cwl job.yml --watch`, writing the outputs into --outdir', async () => {
    const engine = new WorkflowEngine(
      { ...fixture().ctx, clock: systemClock },
      { workerId: 'cwl-cli', idleMs: 20 },
    )
    const agents = runAgents([engine], silentLogger)
    try {
      const outdir = tempDir('continuum-cwl-out-')
      const token = await server.mintToken({ sub: 'cwl-user', groups: ['/continuum/admins'] })
      const cli = (...args: string[]) =>
        runCli(['--server', server.url, '--token', token, '--json', 'workflow', 'run', ...args])
      const ok = await cli(
        path.join(fixtures, 'wf.cwl'),
        path.join(fixtures, 'job.yml'),
        '--watch',
        '--outdir',
        outdir,
      )
      assert.equal(ok.code, 0, ok.stderr + ok.stdout)
      const result = JSON.parse(ok.stdout) as {
        workflow: { state: string }
        output: { total: { path: string }; sizes: Array<{ path: string }> }
      }
      assert.equal(result.workflow.state, 'succeeded')
      assert.ok(result.output.total.path.startsWith(outdir))
      assert.equal(readFileSync(result.output.total.path, 'utf8'), '2\n3\n4\nthe end\n')
      assert.equal(result.output.sizes.length, 3)
      // A tool that fails: the run ends failed, and the CLI says so with a non-zero exit.
      const failing = path.join(tempDir(), 'fail.cwl')
      writeFileSync(
        failing,
        'cwlVersion: v1.2\nclass: CommandLineTool\nbaseCommand: [sh, -c, "exit 3"]\ninputs: []\noutputs: []\n',
      )
      const failed = await cli(failing, '--watch')
      assert.equal(failed.code, 5, failed.stderr)
      const bad = await cli(path.join(fixtures, 'wf.cwl'), path.join(tempDir(), 'missing.yml'))
      assert.equal(bad.code, 2, bad.stderr)
    } finally {
      await agents.stop()
    }
  })

  it("runs a lone CommandLineTool as one task, as the sandbox's unprivileged account", async () => {
    const wf = await client.workflows.submit({
      source: read('tools/say.cwl'),
      filename: 'say.cwl',
      cwlJob: 'word: hello',
    })
    assert.equal(wf.taskCount, 1)
    assert.equal((await run(wf.id)).state, 'succeeded')
    const { output } = await client.workflows.cwlOutput(wf.id)
    const out = output.out as { path: string; basename: string }
    assert.equal(out.basename, 'hello.txt')
    const text = await client.workflows.file(wf.id, out.path)
    assert.equal(Buffer.from(text.content, 'base64').toString(), 'hello\n')
    const who = await client.workflows.submit({
      source:
        'cwlVersion: v1.2\nclass: CommandLineTool\nbaseCommand: [id, -u]\ninputs: []\nstdout: uid.txt\noutputs:\n  uid: {type: string, outputBinding: {glob: uid.txt, loadContents: true, outputEval: "$(self[0].contents.trim())"}}\nrequirements:\n  InlineJavascriptRequirement: {}\n',
      filename: 'who.cwl',
    })
    assert.equal((await run(who.id)).state, 'succeeded')
    assert.deepEqual((await client.workflows.cwlOutput(who.id)).output, { uid: '65534' })
    // Through the gate like any workflow: no token, no submission; another user's output unread.
    const anonymous = await server.clientAs(null)
    await rejectsWith(
      anonymous.workflows.submit({ source: read('tools/say.cwl'), filename: 'say.cwl' }),
      'UNAUTHENTICATED',
    )
    const stranger = await server.clientAs({ sub: 'cwl-stranger', groups: [] })
    // Another user's workflow is not there for them, as with any workflow.
    await rejectsWith(stranger.workflows.cwlOutput(who.id), 'WORKFLOW_NOT_FOUND')
    // A YAML workflow has no CWL output; a CWL one has none before it succeeds.
    const yaml = await client.workflows.submit({
      source: 'name: y\ntasks:\n  - {name: a, command: ["true"]}\n',
    })
    await rejectsWith(client.workflows.cwlOutput(yaml.id), 'REFERENCE_NOT_FOUND')
    const pending = await client.workflows.submit({
      source: read('tools/say.cwl'),
      filename: 'say.cwl',
      cwlJob: 'word: x',
    })
    await rejectsWith(client.workflows.cwlOutput(pending.id), 'WORKFLOW_STATE_CONFLICT')
    await client.workflows.cancel(yaml.id)
    await client.workflows.cancel(pending.id)
  })

  it('runs a packed $graph file: its #main, or the process a fragment names', async () => {
    const main = await client.workflows.submit({
      source: read('packed.cwl'),
      filename: 'packed.cwl',
      cwlJob: '{"words": ["x", "y"]}',
    })
    assert.equal(main.taskCount, 2)
    assert.equal((await run(main.id)).state, 'succeeded')
    const said = (await client.workflows.cwlOutput(main.id)).output.said as Array<{ path: string }>
    const texts = await Promise.all(
      said.map(async (f) =>
        Buffer.from((await client.workflows.file(main.id, f.path)).content, 'base64').toString(),
      ),
    )
    assert.deepEqual(texts, ['x\n', 'y\n'])
    const tool = await client.workflows.submit({
      source: read('packed.cwl'),
      filename: 'packed.cwl#say',
      cwlJob: 'word: z',
    })
    assert.equal((await run(tool.id)).state, 'succeeded')
    const out = (await client.workflows.cwlOutput(tool.id)).output.out as { basename: string }
    assert.equal(out.basename, 'said.txt')
  })

  it('refuses bad CWL documents and input objects with a clear code, storing nothing', async () => {
    const before = (await client.workflows.list({ limit: 500 })).items.length
    const folders = existsSync(workflowsRoot) ? readdirSync(workflowsRoot).length : 0
    const tool = read('tools/say.cwl')
    const cases: Array<[Parameters<ContinuumClient['workflows']['submit']>[0], string]> = [
      [
        { source: 'cwlVersion: v1.2\nclass: CommandLineTool\ninputs: [', filename: 'x.cwl' },
        'WORKFLOW_INVALID',
      ],
      [{ source: 'cwlVersion: v1.2\nclass: Nonsense\n', filename: 'x.cwl' }, 'WORKFLOW_INVALID'],
      // A required input missing, and one of the wrong type.
      [{ source: tool, filename: 'say.cwl', cwlJob: '{}' }, 'WORKFLOW_INVALID'],
      [
        { source: tool, filename: 'say.cwl', cwlJob: 'word: {class: File, location: x}' },
        'WORKFLOW_INVALID',
      ],
      [{ source: tool, filename: 'say.cwl', cwlJob: '[1, 2]' }, 'WORKFLOW_INVALID'],
      // Files outside the bundle are never read.
      [
        {
          source:
            'cwlVersion: v1.2\nclass: CommandLineTool\nbaseCommand: cat\ninputs:\n  f: {type: File, inputBinding: {position: 1}}\noutputs: []\n',
          filename: 'cat.cwl',
          cwlJob: 'f: {class: File, location: /etc/hostname}',
        },
        'WORKFLOW_INVALID',
      ],
      [
        {
          source:
            'cwlVersion: v1.2\nclass: Workflow\ninputs: []\noutputs: []\nsteps:\n  s:\n    run: ../../../etc/x.cwl\n    in: []\n    out: []\n',
          filename: 'wf.cwl',
        },
        'WORKFLOW_INVALID',
      ],
      // Valid CWL the engine does not run.
      [
        {
          source: `${tool}requirements:\n  SoftwareRequirement: {packages: []}\n`,
          filename: 'say.cwl',
          cwlJob: 'word: x',
        },
        'CWL_UNSUPPORTED',
      ],
    ]
    for (const [input, code] of cases) {
      await rejectsWith(client.workflows.submit(input), code)
    }
    assert.equal((await client.workflows.list({ limit: 500 })).items.length, before)
    assert.equal(existsSync(workflowsRoot) ? readdirSync(workflowsRoot).length : 0, folders)
  })
})
