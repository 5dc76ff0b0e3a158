/**
 * `continuum login` end to end, as a user runs it: the device flow against the built-in issuer,
 * approval on the verification page, the token kept with mode 0600, and later commands using it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, type TestDatabase } from '../src/db/testing.js'
import { startTestServer, type TestServer } from './support/server.js'

const bin = path.resolve('bin/continuum.js')

describe('continuum login, token and later commands', () => {
  let database: TestDatabase
  let server: TestServer
  let home: string
  before(async () => {
    database = await openTestDatabase('pglite')
    server = await startTestServer(database)
    home = mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-'))
  })
  after(async () => {
    await server.close()
    await database.close()
    rmSync(home, { recursive: true, force: true })
  })

  const env = () => ({
    ...process.env,
    CONTINUUM_HOME: home,
    CONTINUUM_SERVER: server.url,
    CONTINUUM_TOKEN: '',
  })

  function run(
    args: string[],
    onStderr?: (text: string) => void,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { env: env() })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        onStderr?.(stderr)
      })
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
  }

  it('refuses to print a token before login', async () => {
    const r = await run(['token', '--json'])
    assert.equal(r.code, 4)
    assert.match(r.stdout, /NOT_LOGGED_IN/)
    const denied = await run(['policy', 'ls'])
    assert.equal(denied.code, 4, 'without a token the API answers 401')
    assert.match(denied.stderr, /UNAUTHENTICATED/)
  })

  it('logs in with the device flow and stores the token with mode 0600', async () => {
    let approved = false
    const login = await run(['login'], (text) => {
      const code = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(text)?.[1]
      if (code && !approved) {
        approved = true
        void fetch(`${server.url}/auth/device`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ user_code: code, user: 'admin' }).toString(),
        })
      }
    })
    assert.equal(login.code, 0, login.stderr)
    assert.match(login.stderr, /\/auth\/device\?user_code=/)
    assert.equal(statSync(path.join(home, 'token.json')).mode & 0o777, 0o600)

    const token = await run(['token'])
    assert.equal(token.code, 0)
    assert.match(token.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/)
    const who = await run(['whoami', '--json'])
    assert.equal(who.code, 0, who.stderr)
    const me = JSON.parse(who.stdout) as { subject: string; groups: string[] }
    assert.deepEqual([me.subject, me.groups], ['admin', ['/continuum/admins']])
    const policies = await run(['policy', 'ls'])
    assert.equal(policies.code, 0, policies.stderr)
    assert.match(policies.stdout, /wlcg-capabilities/)
    const audit = await run(['audit', 'ls', '--decision', 'unauthenticated', '--json'])
    assert.equal(audit.code, 0, audit.stderr)
    assert.ok(
      (JSON.parse(audit.stdout) as unknown[]).length >= 1,
      'the refused call before login is audited',
    )
  })
})
