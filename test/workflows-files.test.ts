/**
 * The server chooses where a workflow runs (issue 15): the submitter's files travel with the
 * submission into a folder the server makes, results are read back through the API, and
 * neither way lets a path, a link or a client-named folder reach the server's own files. The
 * CLI's side (files sent, outputs written back next to the YAML) is in the federated example's
 * test. Both backends.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { systemClock } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { runCli } from './support/cli.js'
import { makeLocalSite, runUntilFinished, tempDir } from './support/workflows.js'

const b64 = (text: string) => Buffer.from(text).toString('base64')
/** The API server's default workflows root (tests do not set one). */
const workflowsRoot = path.join(os.tmpdir(), 'continuum-workflows')

describeEachBackend("a workflow's files: sent with it, read back, never more", (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let site: string
  before(async () => {
    server = await startTestServer(fixture().database)
    client = server.client
    site = (await makeLocalSite(fixture().ctx)).name
  })
  after(() => server.close())

  const run = async (id: string) => {
    const ctx = { ...fixture().ctx, clock: systemClock }
    return runUntilFinished(ctx, [new WorkflowEngine(ctx, { workerId: 'files' })], id)
  }

  it('runs on files sent with it, in a folder the server made, and gives the outputs back', async () => {
    const wf = await client.workflows.submit({
      source: [
        'name: counts',
        'tasks:',
        '  - name: count',
        `    site: ${site}`,
        '    inputs: [data/words.txt]',
        '    outputs: [count.txt]',
        '    command: [sh, -c, "wc -w < data/words.txt > count.txt; ln -s /etc/hostname sneaky.txt"]',
      ].join('\n'),
      files: [{ path: 'data/words.txt', content: b64('one two three four\n') }],
    })
    assert.ok(wf.workdir.startsWith(workflowsRoot), `${wf.workdir} is the server's`)
    assert.equal((await run(wf.id)).state, 'succeeded')
    const listing = await client.workflows.files(wf.id)
    const names = listing.files.map((f) => f.path)
    assert.ok(names.includes('count.txt') && names.includes('data/words.txt'), names.join(' '))
    assert.ok(!names.includes('sneaky.txt'), 'a link is not listed')
    const count = await client.workflows.file(wf.id, 'count.txt')
    assert.equal(Buffer.from(count.content, 'base64').toString().trim(), '4')
    // A link a task makes stays in its attempt's folder: it never reaches the workflow's.
    await rejectsWith(client.workflows.file(wf.id, 'sneaky.txt'), 'REFERENCE_NOT_FOUND')
    for (const bad of ['../../keys/issuer.json', '/etc/passwd', 'a/./b', 'x\u0000y']) {
      await rejectsWith(client.workflows.file(wf.id, bad), 'VALIDATION_FAILED')
    }
    await rejectsWith(client.workflows.file(wf.id, 'missing.txt'), 'REFERENCE_NOT_FOUND')
    // The CLI: a listing, and named files copied into a folder of the user's.
    const token = await server.mintToken({ sub: 'files-user', groups: ['/continuum/admins'] })
    const cli = (...args: string[]) => runCli(['--server', server.url, '--token', token, ...args])
    const listed = await cli('workflow', 'fetch', wf.id, '--list')
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, /count\.txt\s+2/)
    const into = tempDir()
    const fetched = await cli(
      'workflow',
      'fetch',
      wf.id,
      'count.txt',
      'data/words.txt',
      '--to',
      into,
    )
    assert.equal(fetched.code, 0, fetched.stderr)
    assert.equal(readFileSync(path.join(into, 'count.txt'), 'utf8').trim(), '4')
    assert.equal(readFileSync(path.join(into, 'data', 'words.txt'), 'utf8'), 'one two three four\n')
    const refused = await cli('workflow', 'fetch', wf.id, 'sneaky.txt', '--to', into)
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /REFERENCE_NOT_FOUND/)
  })

  it('refuses bad file paths and client-named folders, and stores nothing', async () => {
    const before = (await client.workflows.list({ limit: 500 })).items.length
    const source = `name: bad\ntasks:\n  - name: a\n    site: ${site}\n    command: ['true']\n`
    for (const p of ['../escape.txt', '/etc/cron.d/x', 'a//b', '.hidden/../x', 'ok.txt\u0000']) {
      await rejectsWith(
        client.workflows.submit({ source, files: [{ path: p, content: b64('x') }] }),
        'VALIDATION_FAILED',
      )
    }
    await rejectsWith(
      client.workflows.submit({
        source,
        files: [
          { path: 'same.txt', content: b64('a') },
          { path: 'same.txt', content: b64('b') },
        ],
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.workflows.submit({ source, workdir: '/etc', files: [] }),
      'WORKDIR_REFUSED',
    )
    assert.equal((await client.workflows.list({ limit: 500 })).items.length, before)
    assert.ok(!existsSync(path.join(workflowsRoot, '..', 'escape.txt')))
  })
})
