/** `continuum practice …` against a real server: tables by default, --json, exit codes of the catalogue. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { addCommunity } from '../src/catalog/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const bin = path.join(import.meta.dirname, '..', 'bin', 'continuum.js')

describeEachBackend('practice CLI', (fixture) => {
  let server: TestServer
  const tokens: Record<string, string> = {}
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-practice-cli-'))
  const run = (who: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, '--server', server.url, ...args],
        { env: { ...process.env, CONTINUUM_HOME: dir, CONTINUUM_TOKEN: tokens[who] } },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      )
    })
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text)
    return path.join(dir, name)
  }

  before(async () => {
    await addCommunity(fixture().ctx, { name: 'atlas', title: 'ATLAS' })
    await addCommunity(fixture().ctx, { name: 'cms', title: 'CMS' })
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    tokens.coord = await server.mintToken({ sub: 'coord', groups: ['/atlas'] })
    tokens.other = await server.mintToken({ sub: 'other', groups: ['/cms'] })
  })
  after(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates a group, runs a survey and shows results as a table and as JSON', async () => {
    let r = await run(
      'coord',
      'practice',
      'group',
      'add',
      'wg-cli',
      '--community',
      'atlas',
      '--title',
      'CLI group',
      '--charter',
      'Try the CLI.',
      '--display-name',
      'Member A (synthetic)',
    )
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /you coordinate it/)
    const survey = file(
      'survey.yaml',
      'name: cli-survey\ntitle: CLI survey\nworkingGroup: wg-cli\nquestions:\n  - { id: h, text: Hours?, kind: number, unit: h, profilePath: compute.walltimeHours }\n',
    )
    r = await run('coord', 'practice', 'survey', 'add', survey)
    assert.equal(r.code, 0, r.stderr)
    r = await run(
      'other',
      'practice',
      'survey',
      'respond',
      'cli-survey',
      '--answers',
      file('a.yaml', 'h: 12\n'),
    )
    assert.equal(r.code, 0, r.stderr)
    r = await run('other', 'practice', 'survey', 'results', 'cli-survey')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /1 responses/)
    assert.match(r.stdout, /median 12 h/)
    r = await run('other', '--json', 'practice', 'survey', 'results', 'cli-survey')
    assert.deepEqual((JSON.parse(r.stdout) as { proposal: unknown }).proposal, {
      'compute.walltimeHours': 12,
    })
    r = await run('coord', 'practice', 'groups')
    assert.match(r.stdout, /wg-cli\s+atlas\s+1\s+0\s+coordinator/)
  })

  it('exits with the catalogue codes: denied 4, invalid 2, not found 3', async () => {
    let r = await run(
      'other',
      'practice',
      'group',
      'meeting',
      'wg-cli',
      '--title',
      'x',
      '--held-on',
      '2026-01-01',
    )
    assert.equal(r.code, 4, r.stderr)
    assert.match(r.stderr, /POLICY_DENIED/)
    r = await run(
      'other',
      'practice',
      'survey',
      'respond',
      'cli-survey',
      '--answers',
      file('b.yaml', 'h: lots\n'),
    )
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /answers\.h: expected a number/)
    r = await run('other', 'practice', 'survey', 'results', 'cli-survey', '--survey-version', 'x')
    assert.equal(r.code, 2, r.stderr)
    r = await run('other', 'practice', 'draft', 'show', 'no-such-draft')
    assert.equal(r.code, 3, r.stderr)
    assert.match(r.stderr, /DRAFT_NOT_FOUND/)
  })

  it('corrects a meeting, changes a role and removes a member, with the catalogue codes', async () => {
    const who = (sub: string) => `${server.issuer!.url}#${sub}`
    let r = await run(
      'coord',
      'practice',
      'group',
      'meeting',
      'wg-cli',
      '--title',
      'Kick-off',
      '--held-on',
      '2026-01-15',
      '--json',
    )
    assert.equal(r.code, 0, r.stderr)
    const id = (JSON.parse(r.stdout) as { id: string }).id
    r = await run('coord', 'practice', 'group', 'show', 'wg-cli')
    assert.match(r.stdout, new RegExp(`Kick-off {2}\\(${id}\\)`), 'show lists the id to edit by')
    r = await run('coord', 'practice', 'group', 'meeting-edit', 'wg-cli', id, '--decision', 'Go')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /corrected meeting .* \(1 decisions\)/)
    r = await run(
      'coord',
      'practice',
      'group',
      'meeting-edit',
      'wg-cli',
      id,
      '--held-on',
      '2026-13-01',
    )
    assert.equal(r.code, 2, r.stderr)
    r = await run(
      'coord',
      'practice',
      'group',
      'member',
      'wg-cli',
      '--principal',
      who('other'),
      '--display-name',
      'Member D (synthetic)',
      '--community',
      'cms',
    )
    assert.equal(r.code, 0, r.stderr)
    r = await run(
      'other',
      'practice',
      'group',
      'role',
      'wg-cli',
      '--principal',
      who('other'),
      '--role',
      'coordinator',
    )
    assert.equal(r.code, 4, r.stderr)
    r = await run(
      'coord',
      'practice',
      'group',
      'role',
      'wg-cli',
      '--principal',
      who('other'),
      '--role',
      'reviewer',
    )
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Member D \(synthetic\) is now reviewer of wg-cli/)
    r = await run('coord', 'practice', 'group', 'remove', 'wg-cli', '--principal', who('coord'))
    assert.equal(r.code, 5, r.stderr)
    assert.match(r.stderr, /PRACTICE_STATE_CONFLICT.*last coordinator/)
    r = await run(
      'other',
      'practice',
      'group',
      'remove',
      'wg-cli',
      '--principal',
      who('other'),
      '--json',
    )
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { workingGroup: 'wg-cli', removed: who('other') })
    r = await run('coord', 'practice', 'group', 'remove', 'wg-cli', '--principal', who('other'))
    assert.equal(r.code, 3, r.stderr)
  })
})
