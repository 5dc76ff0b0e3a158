/** The `continuum catalog import|validate|export` and `continuum landscape …` commands against a real server. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { describeEachBackend } from './support/backends.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'

const bin = path.join(import.meta.dirname, '..', 'bin', 'continuum.js')
const root = path.join(import.meta.dirname, '..')
/** An admin token of the test server under way (the CLI goes through the gate). */
let token = ''

function run(
  server: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--server', server, ...args],
      { cwd: root, env: { ...process.env, CONTINUUM_HOME: os.tmpdir(), CONTINUUM_TOKEN: token } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

describeEachBackend('landscape CLI', (fixture) => {
  let server: TestServer
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-'))
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    token = await server.mintToken({ sub: 'cli-admin', groups: [adminGroup] })
  })
  after(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('validates a broken file with file:line:col path: message and exit code 2, importing nothing', async () => {
    const r = await run(
      server.url,
      'catalog',
      'validate',
      'test/fixtures/broken/00-cores-string.yaml',
    )
    assert.equal(r.code, 2, r.stderr)
    assert.match(
      r.stderr,
      /^test\/fixtures\/broken\/00-cores-string\.yaml:14:12 computeServices\[0\]\.cores: expected integer$/m,
    )
    assert.match(r.stderr, /nothing was imported/)
  })

  it('imports a BDII LDIF file without --glue2 and prints what it did not map', async () => {
    const file = path.join(dir, 'cli-t2.ldif')
    writeFileSync(
      file,
      [
        'dn: GLUE2DomainID=CLI-T2,o=glue',
        'objectClass: GLUE2AdminDomain',
        'GLUE2DomainID: CLI-T2',
        'GLUE2EntityCreationTime: 2026-03-01T12:00:00Z',
        '',
      ].join('\n'),
    )
    const r = await run(server.url, 'catalog', 'import', file)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /imported 1 infrastructures/)
    assert.match(r.stdout, /not mapped: AdminDomain\.CreationTime/)
    assert.match(r.stdout, /country is recorded as unknown \(ZZ\)/)
  })

  it('imports the shipped folder, then matches, finds gaps and writes the HTML report', async () => {
    const imp = await run(server.url, 'catalog', 'import', 'data/landscape')
    assert.equal(imp.code, 0, imp.stderr)
    assert.match(imp.stdout, /^imported \d+ infrastructures/)
    const match = await run(
      server.url,
      'landscape',
      'match',
      'lofar2-calibration-imaging',
      '--top',
      '40',
    )
    assert.equal(match.code, 0, match.stderr)
    assert.match(match.stdout, /^lofar2-calibration-imaging: (FIT|PARTIAL|NO)/)
    assert.match(match.stdout, /✗ walltime 72 h > max 48 h/)
    const gaps = await run(server.url, 'landscape', 'gaps')
    assert.equal(gaps.code, 0, gaps.stderr)
    assert.match(gaps.stdout, /Cross-cutting gaps:/)
    assert.match(
      gaps.stdout,
      /Recommended actions \(SRIDA phase; Blueprint area · SRIDA priority\):\n {2}foundation:/,
    )
    // The text holds what --json holds: every action, and the D5.2 check of every policy.
    const gapsJson = await run(server.url, '--json', 'landscape', 'gaps')
    const report = JSON.parse(gapsJson.stdout) as {
      actions: Array<{ rank: number; target: string }>
      recommendations: Array<{ policy: string; met: number; results: unknown[] }>
    }
    assert.ok(report.actions.length > 0 && report.recommendations.length > 0)
    for (const a of report.actions) {
      assert.ok(gaps.stdout.includes(`    ${a.rank}. ${a.target}:`), `action ${a.rank} shown`)
    }
    assert.match(gaps.stdout, /D5\.2 recommendations met per access policy:/)
    for (const r of report.recommendations) {
      assert.ok(
        gaps.stdout.includes(`  ${r.policy} (`) &&
          gaps.stdout.includes(`: ${r.met}/${r.results.length}`),
        `D5.2 check of ${r.policy} shown`,
      )
    }
    const limited = await run(server.url, 'landscape', 'gaps', '--limit', '1')
    assert.equal(limited.code, 0, limited.stderr)
    const shown = limited.stdout.split('Recommended actions (')[1] ?? ''
    assert.ok((shown.match(/^ {4}\d+\. /gm) ?? []).length <= 3, 'at most one action per phase')
    assert.match(shown, /… \d+ more/)
    const show = await run(
      server.url,
      'landscape',
      'usecases',
      'show',
      'lofar2-calibration-imaging',
    )
    assert.equal(show.code, 0, show.stderr)
    assert.equal(show.stdout.match(/^profile:/gm)?.length, 1, 'the profile is printed once')
    const out = path.join(dir, 'report.html')
    const rep = await run(server.url, 'landscape', 'report', '--format', 'html', '-o', out)
    assert.equal(rep.code, 0, rep.stderr)
    assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/)
    const add = await run(
      server.url,
      'catalog',
      'member',
      'add',
      '--set',
      'name=jdoe',
      '--set',
      'community=lofar',
      '--set',
      'displayName=J. Doe',
      '--set',
      'roles=[coordinator]',
    )
    assert.equal(add.code, 0, add.stderr)
    const members = await run(
      server.url,
      '--json',
      'catalog',
      'member',
      'ls',
      '--community',
      'lofar',
    )
    assert.deepEqual(
      (JSON.parse(members.stdout) as Array<{ name: string; roles: string[] }>).map((m) => [
        m.name,
        m.roles,
      ]),
      [['jdoe', ['coordinator']]],
    )
    const json = await run(server.url, '--json', 'landscape', 'usecases', 'ls')
    assert.equal((JSON.parse(json.stdout) as unknown[]).length, 14)
  })
})
