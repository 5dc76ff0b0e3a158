/**
 * WorkReuse for CWL tasks on the engine (issue 19): a step whose built command, environment,
 * tool document and input files' content match a done task of a workflow of the same community
 * is not run again — its outputs are copied in and the output object is the same — while a
 * changed input, another community, `WorkReuse: {enableReuse: false}` (hint or requirement)
 * or `noCache` runs it. Both backends.
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { after, before, it } from 'node:test'
import { addCommunity } from '../src/catalog/index.js'
import type { ContinuumClient } from '../src/client/index.js'
import { systemClock } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite, runUntilFinished } from './support/workflows.js'

const upper = `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [tr, a-z, A-Z]
inputs:
  f: File
stdin: $(inputs.f.path)
stdout: up.txt
outputs: {up: stdout}
`
const count = `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [wc, -c]
inputs:
  f: File
stdin: $(inputs.f.path)
stdout: n.txt
outputs: {n: stdout}
`
const wf = `cwlVersion: v1.2
class: Workflow
inputs: {f: File}
outputs:
  up: {type: File, outputSource: upper/up}
  n: {type: File, outputSource: count/n}
steps:
  upper: {run: upper.cwl, in: {f: f}, out: [up]}
  count: {run: count.cwl, in: {f: upper/up}, out: [n]}
`
const b64 = (text: string) => Buffer.from(text).toString('base64')

describeEachBackend('CWL work reuse on the engine', (fixture) => {
  let server: TestServer
  let alice: ContinuumClient
  let carol: ContinuumClient
  let bob: ContinuumClient
  before(async () => {
    const ctx = fixture().ctx
    for (const name of ['reuse-a', 'reuse-b']) await addCommunity(ctx, { name, title: name })
    server = await startTestServer(fixture().database)
    alice = await server.clientAs({ sub: 'alice', groups: ['/reuse-a'] })
    carol = await server.clientAs({ sub: 'carol', groups: ['/reuse-a'] })
    bob = await server.clientAs({ sub: 'bob', groups: ['/reuse-b'] })
    await makeLocalSite(ctx)
  })
  after(() => server.close())

  /** Submits and runs the workflow; returns which steps were reused, and the outputs' text. */
  const runAs = async (
    client: ContinuumClient,
    options: { input?: string; upper?: string; doc?: string; noCache?: boolean } = {},
  ) => {
    const submitted = await client.workflows.submit({
      source: options.doc ?? wf,
      filename: 'wf.cwl',
      files: [
        { path: 'upper.cwl', content: b64(options.upper ?? upper) },
        { path: 'count.cwl', content: b64(count) },
        { path: 'data/in.txt', content: b64(options.input ?? 'hello\n') },
      ],
      cwlJob: 'f: {class: File, location: data/in.txt}',
      ...(options.noCache ? { noCache: true } : {}),
    })
    const ctx = { ...fixture().ctx, clock: systemClock }
    const engine = new WorkflowEngine(ctx, { workerId: 'cwl-reuse' })
    assert.equal((await runUntilFinished(ctx, [engine], submitted.id)).state, 'succeeded')
    const tasks = (await client.workflows.tasks(submitted.id)).items
    const reused = tasks
      .filter((t) => t.cached)
      .map((t) => t.name)
      .sort()
    const { output } = await client.workflows.cwlOutput(submitted.id)
    const text = async (name: string) => {
      const file = output[name] as { path: string }
      const read = await client.workflows.file(submitted.id, file.path)
      return Buffer.from(read.content, 'base64').toString()
    }
    const result = { reused, up: await text('up'), n: (await text('n')).trim() }
    lastWorkdir = (await client.workflows.get(submitted.id)).workdir
    return result
  }
  let lastWorkdir = ''

  it('reuses a step of an identical run in the same community, and runs a changed one', async () => {
    assert.deepEqual(await runAs(alice), { reused: [], up: 'HELLO\n', n: '6' })
    // Another member of the community, the same documents and input: nothing runs again, and
    // the outputs are there in the new workflow's folder.
    assert.deepEqual(await runAs(carol), { reused: ['count', 'upper'], up: 'HELLO\n', n: '6' })
    // Another community: its own run.
    assert.deepEqual(await runAs(bob), { reused: [], up: 'HELLO\n', n: '6' })
    // A changed input runs `upper`; its output is the same as before, so `count` is reused.
    assert.deepEqual(await runAs(alice, { input: 'Hello\n' }), {
      reused: ['count'],
      up: 'HELLO\n',
      n: '6',
    })
    // A changed input whose change reaches `count` too: both run.
    assert.deepEqual(await runAs(alice, { input: 'hello, world\n' }), {
      reused: [],
      up: 'HELLO, WORLD\n',
      n: '13',
    })
  })

  it('runs again when the folder of the run it would reuse is gone', async () => {
    await runAs(alice, { input: 'gone\n' })
    rmSync(lastWorkdir, { recursive: true, force: true })
    assert.deepEqual(await runAs(carol, { input: 'gone\n' }), { reused: [], up: 'GONE\n', n: '5' })
  })

  it('runs again when WorkReuse disables reuse (hint or requirement) or the caller asks noCache', async () => {
    await runAs(alice, { input: 'reuse\n' })
    // A hint on `upper` (its tool document changed, so its key would differ anyway): `upper`
    // runs; `count` reads the same content and is reused.
    const hinted = `${upper}hints:\n  WorkReuse: {enableReuse: false}\n`
    assert.deepEqual((await runAs(alice, { input: 'reuse\n', upper: hinted })).reused, ['count'])
    assert.deepEqual((await runAs(alice, { input: 'reuse\n', upper: hinted })).reused, ['count'])
    // A requirement on the workflow reaches every step.
    const off = wf.replace(
      'inputs: {f: File}',
      'requirements:\n  WorkReuse: {enableReuse: false}\ninputs: {f: File}',
    )
    assert.deepEqual((await runAs(alice, { input: 'reuse\n', doc: off })).reused, [])
    assert.deepEqual((await runAs(alice, { input: 'reuse\n', noCache: true })).reused, [])
    // And without either, the same run is reused.
    assert.deepEqual((await runAs(alice, { input: 'reuse\n' })).reused, ['count', 'upper'])
  })
})
