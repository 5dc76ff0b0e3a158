/** `continuum data …` as users run it: a real CLI process against a test server. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { after, before, it } from 'node:test'
import { describeEachBackend } from './support/backends.js'
import { uniqueEndpointName, uniqueScope } from './support/data-factories.js'
import { startTestServer, type TestServer } from './support/server.js'

const run = promisify(execFile)

describeEachBackend('continuum data CLI', (fixture) => {
  let server: TestServer
  let dir: string
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-'))
  })
  after(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [
        'bin/continuum.js',
        '--server',
        server.url,
        '--token',
        await server.mintToken({ sub: 'cli-admin', groups: ['/continuum/admins'] }),
        ...args,
      ])
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  it('uploads, lists with filters, downloads verified, and reports errors with codes', async () => {
    const scope = uniqueScope()
    const endpoint = uniqueEndpointName()
    await server.client.data.addScope({ name: scope })
    await server.client.data.addEndpoint({
      name: endpoint,
      attributes: { country: 'DE' },
      protocols: [
        {
          scheme: 'file',
          url: pathToFileURL(path.join(dir, 'store')).href,
          read: 1,
          write: 1,
          delete: 1,
        },
      ],
    })
    writeFileSync(path.join(dir, 'run1.raw'), 'raw detector data')
    const up = await cli(
      '--json',
      'data',
      'upload',
      path.join(dir, 'run1.raw'),
      `${scope}:run1.raw`,
      '--to',
      endpoint,
    )
    assert.equal(up.code, 0, up.stderr)
    assert.equal(
      (JSON.parse(up.stdout) as { replicas: Array<{ endpoint: string }> }).replicas[0]?.endpoint,
      endpoint,
    )
    await server.client.data.updateDid({ scope, name: 'run1.raw' }, { meta: { run: 1001 } })

    const ls = await cli('--json', 'data', 'ls', `${scope}:*`, '--filter', 'run>1000')
    assert.deepEqual(
      (JSON.parse(ls.stdout) as Array<{ name: string }>).map((d) => d.name),
      ['run1.raw'],
    )
    const table = await cli('data', 'endpoints', 'country=DE')
    assert.match(table.stdout, /^NAME\s+ATTRIBUTES/m)

    const down = await cli('data', 'download', `${scope}:run1.raw`, '--dir', path.join(dir, 'dl'))
    assert.equal(down.code, 0, down.stderr)
    assert.match(down.stdout, /verified/)
    assert.equal(readFileSync(path.join(dir, 'dl', scope, 'run1.raw'), 'utf8'), 'raw detector data')

    const bad = await cli('--json', 'data', 'endpoints', 'country=DE&')
    assert.equal(bad.code, 2)
    const body = JSON.parse(bad.stdout) as {
      error: { code: string; details: { position: number } }
    }
    assert.equal(body.error.code, 'EXPRESSION_INVALID')
    assert.equal(body.error.details.position, 11)
  })
})
