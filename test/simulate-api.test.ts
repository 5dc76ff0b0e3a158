/**
 * What-if planning over HTTP and from the CLI, through the gate, on both backends: a member (not
 * an admin) lists and simulates the shipped scenarios, gets the HTML report, and bad scenarios
 * get their codes; the route is in the OpenAPI document.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import * as simulation from '../src/simulate/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const bin = path.join(import.meta.dirname, '..', 'bin', 'continuum.js')
const root = path.join(import.meta.dirname, '..')

function run(server: string, token: string, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, '--server', server, ...args],
      { cwd: root, env: { ...process.env, CONTINUUM_HOME: os.tmpdir(), CONTINUUM_TOKEN: token } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const tiny = (extra = '') =>
  `name: tiny\ntitle: tiny\nsources: []\ndays: 0.5\nsites:\n  - {name: a, diskTB: 10}\n  - {name: b, diskTB: 10}\n${extra}communities:\n  - name: c\n    ingest: [{site: a, tbPerDay: 1, meanFileMB: 100}]\n    rules: [{expression: 'a|b', copies: 2}]\n`

describeEachBackend('what-if planning API and CLI', (fixture) => {
  let server: TestServer
  let member: ContinuumClient
  let token: string
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-plan-'))
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    const claims = { sub: 'planner', groups: ['/ska'] }
    member = await server.clientAs(claims)
    token = await server.mintToken(claims)
  })
  after(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists the shipped scenarios and simulates one, as JSON and as HTML', async () => {
    const list = await member.plan.scenarios()
    assert.deepEqual(
      list.items.map((s) => s.name),
      ['hl-lhc-year', 'ska-year', 'srcnet-v0.1-data-challenge'],
    )
    const before = simulation.simulationsOffThread
    const report = await member.plan.simulate({ name: 'srcnet-v0.1-data-challenge' })
    // Seconds of CPU stay off the server's event loop.
    assert.equal(simulation.simulationsOffThread, before + 1)
    assert.equal(Math.round(report.summary.replicatedTB), 150)
    assert.ok(report.published)
    const html = await member.plan.simulateHtml({ scenario: tiny() })
    assert.match(html, /^<!doctype html>/)
    assert.match(html, /<svg /)
  })

  it('gives bad scenarios their codes and changes nothing', async () => {
    await rejectsWith(member.plan.simulate({ scenario: 'name: [' }), 'SCENARIO_INVALID')
    await rejectsWith(
      member.plan.simulate({
        scenario: tiny('outages: [{site: nowhere, startHour: 0, hours: 1}]\n'),
      }),
      'SCENARIO_UNKNOWN_SITE',
    )
    await rejectsWith(
      member.plan.simulate({ scenario: tiny().replace('diskTB: 10', 'diskTB: -10') }),
      'SCENARIO_INVALID',
    )
    await rejectsWith(member.plan.simulate({ name: 'no-such-scenario' }), 'SCENARIO_NOT_FOUND')
    await rejectsWith(member.plan.simulate({}), 'VALIDATION_FAILED')
    const raw = await fetch(`${server.url}/plan/simulations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ scenario: 42 }),
    })
    assert.equal(raw.status, 400)
    const anonymous = await fetch(`${server.url}/plan/simulations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ska-year' }),
    })
    assert.equal(anonymous.status, 401)
  })

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    assert.equal(doc.paths['/plan/simulations']?.post?.operationId, 'simulateScenario')
    assert.equal(doc.paths['/plan/scenarios']?.get?.operationId, 'listScenarios')
  })

  it('runs from the CLI: a table by default, --json, --html FILE, and exit 2 on a bad file', async () => {
    const file = path.join(dir, 'tiny.yaml')
    writeFileSync(file, tiny())
    const human = await run(server.url, token, 'plan', 'simulate', file)
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, /replicated:\s+0\.5 TB/)
    assert.match(human.stdout, /bottlenecks:/)
    const json = await run(server.url, token, '--json', 'plan', 'simulate', file)
    assert.equal((JSON.parse(json.stdout) as { scenario: { name: string } }).scenario.name, 'tiny')
    const out = path.join(dir, 'tiny.html')
    const html = await run(server.url, token, 'plan', 'simulate', file, '--html', out)
    assert.equal(html.code, 0, html.stderr)
    assert.match(readFileSync(out, 'utf8'), /<svg /)
    const bad = path.join(dir, 'bad.yaml')
    writeFileSync(bad, tiny().replace('days: 0.5', 'days: -1'))
    const failed = await run(server.url, token, 'plan', 'simulate', bad)
    assert.equal(failed.code, 2)
    assert.match(failed.stderr, /SCENARIO_INVALID/)
    const list = await run(server.url, token, 'plan', 'scenarios')
    assert.match(list.stdout, /srcnet-v0\.1-data-challenge/)
  })
})
