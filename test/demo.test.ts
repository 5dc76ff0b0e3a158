/**
 * `npm start` = `continuum demo`: an embedded database under CONTINUUM_HOME, migrated at start,
 * the API up, state kept across restarts, a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ContinuumClient, deviceLogin } from '../src/client/index.js'
import { openEmptyDatabase, testBackends, testPostgresUrl } from '../src/db/testing.js'
import { binPath, runCli } from './support/cli.js'

interface Demo {
  child: ChildProcess
  url: string
  output: () => string
}

function startDemo(home: string, db?: string): Promise<Demo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, 'demo', '--port', '0'], {
      // These tests are about the database, files and banner; the demo's Slurm site is covered by
      // test/plan-run.test.ts (the same start and binding), so it is left out here to save time.
      env: {
        ...process.env,
        CONTINUUM_HOME: home,
        CONTINUUM_DEMO_SLURM: 'off',
        ...(db ? { CONTINUUM_DB: db } : {}),
      },
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
  return new ContinuumClient({ server: url, token: await adminToken(url) })
}

async function adminToken(url: string): Promise<string> {
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
  return token.access_token
}

/** The words of a shell command line with '…' and "…" quoting (enough for the banner's hints). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
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

      // The banner's hints work as printed on a fresh demo (except the interactive login and the
      // workflows, which wait for their runs).
      const env = { CONTINUUM_HOME: home, CONTINUUM_TOKEN: await adminToken(first.url) }
      const hints = first
        .output()
        .split('\n')
        .filter((l) => l.startsWith('  npx continuum ') && !/ (login|workflow)\b/.test(l))
        .map((l) => shellWords(l.trim()).slice(2))
      assert.ok(
        hints.some((h) => h.includes('add')),
        'an add hint is among them',
      )
      for (const hint of hints) {
        const r = await runCli(hint, env)
        assert.equal(r.code, 0, `continuum ${hint.join(' ')}: ${r.stderr}`)
      }

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

  it('keeps its files private: another local user reaches no key, database or stored file', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-demo-modes-'))
    const demo = await startDemo(home)
    try {
      for (const dir of [home, path.join(home, 'db'), path.join(home, 'keys')]) {
        assert.equal(statSync(dir).mode & 0o777, 0o700, dir)
      }
      assert.equal(statSync(path.join(home, 'keys', 'issuer.json')).mode & 0o777, 0o600)
      for (const f of filesUnder(path.join(home, 'storage'))) {
        assert.equal(statSync(f).mode & 0o077, 0, f)
      }
      // As user nobody: the key cannot be read, the database neither listed nor written.
      const asNobody = (cmd: string) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', cmd])
          .status
      assert.notEqual(asNobody(`cat ${path.join(home, 'keys', 'issuer.json')}`), 0)
      assert.notEqual(asNobody(`ls ${path.join(home, 'db')}`), 0)
      assert.notEqual(asNobody(`touch ${path.join(home, 'db', 'PG_VERSION')}`), 0)
      assert.equal(asNobody('true'), 0, 'the check itself runs')
    } finally {
      assert.equal(await stop(demo.child), 0)
    }
  })

  it('refuses to start on a home or database folder other users can write, naming the fix', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-demo-open-'))
    chmodSync(home, 0o777)
    const refused = await runCli(['demo', '--port', '0'], { CONTINUUM_HOME: home })
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /FILE_PERMISSIONS_UNSAFE: .*chmod -R go-rwx/)
    chmodSync(home, 0o700)
    mkdirSync(path.join(home, 'db'), { mode: 0o777 })
    chmodSync(path.join(home, 'db'), 0o777)
    const again = await runCli(['demo', '--port', '0'], { CONTINUUM_HOME: home })
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /FILE_PERMISSIONS_UNSAFE: the database folder/)
  })
})

function filesUnder(dir: string): string[] {
  const out = [dir]
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(full))
    else out.push(full)
  }
  return out
}

const postgres = (await testBackends()).find((b) => b.name === 'postgres')

describe('continuum demo on PostgreSQL', { skip: postgres ? postgres.skip : 'DB_BACKEND' }, () => {
  it('migrates an empty database and says PostgreSQL in its banner', async () => {
    const empty = await openEmptyDatabase('postgres')
    const url = `${testPostgresUrl.replace(/\/[^/]*$/, '')}/${empty.url.split('/').pop() ?? ''}`
    const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-demo-pg-'))
    try {
      const demo = await startDemo(home, url)
      try {
        assert.match(demo.output(), /PostgreSQL, migrated/)
        assert.doesNotMatch(demo.output(), /embedded/)
        const ready = (await (await fetch(`${demo.url}/readyz`)).json()) as { backend: string }
        assert.equal(ready.backend, 'postgres')
      } finally {
        assert.equal(await stop(demo.child), 0)
      }
    } finally {
      await empty.close()
    }
  })
})
