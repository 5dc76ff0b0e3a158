/**
 * `npm start` = `continuum demo`: an embedded database under CONTINUUM_HOME, migrated at start,
 * the API up, state kept across restarts, a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ContinuumClient, deviceLogin } from '../src/client/index.js'
import { binPath, runCli } from './support/cli.js'

interface Demo {
  child: ChildProcess
  url: string
  output: () => string
}

function startDemo(home: string): Promise<Demo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, 'demo', '--port', '0'], {
      env: { ...process.env, CONTINUUM_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /running at (http:\/\/\S+)/.exec(out)
      if (m?.[1]) resolve({ child, url: m[1], output: () => out })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)))
  })
}

/** Logs in at the demo's built-in issuer with the device flow, approving as the demo admin. */
async function loginAsAdmin(url: string): Promise<ContinuumClient> {
  let approval: Promise<unknown> = Promise.resolve()
  const token = await deviceLogin({
    issuer: url,
    clientId: 'continuum-cli',
    prompt: (authorization) => {
      approval = fetch(`${url}/auth/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user_code: authorization.user_code, user: 'admin' }).toString(),
      })
    },
    wait: async () => {
      await approval
    },
  })
  return new ContinuumClient({ server: url, token: token.access_token })
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.on('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })
}

describe('continuum demo', () => {
  it('serves the API on an embedded database that survives a restart, and stops cleanly', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-demo-'))
    const first = await startDemo(home)
    try {
      assert.match(first.output(), /Try next:/)
      const anonymous = new ContinuumClient({ server: first.url })
      assert.equal((await anonymous.health()).status, 'ok')
      await assert.rejects(anonymous.catalog.listInfrastructures(), /bearer token is required/)
      const client = await loginAsAdmin(first.url)
      const doc = await client.http.request<{ openapi: string }>('GET', '/openapi.json')
      assert.match(doc.openapi, /^3\.1\./)
      await client.catalog.addInfrastructure({
        name: 'demo-kept',
        title: 'Kept',
        kind: 'Data',
        operator: 'Test',
        country: 'NL',
      })

      const second = await runCli(['demo', '--port', '0'], { CONTINUUM_HOME: home })
      assert.equal(second.code, 6, 'a second process on the same embedded database is refused')
      assert.match(second.stderr, /DATABASE_UNAVAILABLE: embedded database .* is in use by process/)
    } finally {
      assert.equal(await stop(first.child), 0, 'SIGTERM stops the demo with exit code 0')
    }

    const again = await startDemo(home)
    try {
      const client = await loginAsAdmin(again.url)
      assert.equal((await client.catalog.getInfrastructure('demo-kept')).title, 'Kept')
      assert.equal((await client.readiness()).status, 'ready')
    } finally {
      assert.equal(await stop(again.child), 0)
    }
  })
})
