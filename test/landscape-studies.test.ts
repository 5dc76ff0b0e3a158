/**
 * All of the studies over HTTP on both backends: use-case provenance and review (refused when
 * incomplete, nothing changed), D5.3 checks and projections in the gap report, and the
 * Blueprint- and SRIDA-shaped documents following a change to the live data.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { ContinuumError } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'

const bin = path.join(import.meta.dirname, '..', 'bin', 'continuum.js')

function cli(
  server: string,
  token: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--server', server, ...args],
      { env: { ...process.env, CONTINUUM_HOME: os.tmpdir(), CONTINUUM_TOKEN: token } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const rejects = (p: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(
    p,
    (e: ContinuumError) =>
      e instanceof ContinuumError && e.code === code && (!message || message.test(e.message)),
  )

const catalogue = `
infrastructures:
- name: hpc-a
  title: HPC A
  kind: HPC
  operator: Test operator
  country: FI
  source: https://example.org/hpc-a
computeServices:
- name: hpc-a-cpu
  title: HPC A CPU partition
  infrastructure: hpc-a
  batchSystem: slurm
  cores: 2000
  containerRuntimes: [apptainer]
accessPolicies:
- name: hpc-a-call
  title: HPC A yearly call
  infrastructure: hpc-a
  route: peer-reviewed-call
  eligibility: { anyEuropeanResearcher: true, communities: [], vos: [], groups: [], countries: [] }
  allocationUnit: core-hours
  typicalSize: 2000000
  periodMonths: 12
  renewable: true
  acceptedAai: [local]
communities:
- name: radio
  title: Radio community
  homepage: https://example.org/radio
useCases:
- name: imaging
  title: Imaging
  community: radio
  field: Radio Astronomy
  status: reviewed
  reviewer: Continuum maintainers (synthetic reviewer)
  reviewedAt: '2026-02-01'
  citation: 'SPECTRUM D5.1, LOFAR2.0 row (test figures)'
  estimates: 'growth is an estimate'
  source: https://example.org/d51
  profile:
    compute: { coreHoursPerYear: 1000000, peakCores: 200, growthPerYear: 0.2 }
    access: { aai: [egi-checkin] }
`

describeEachBackend('landscape: all of the studies', (fixture) => {
  let server: TestServer
  let c: ContinuumClient
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    c = server.client
    await c.landscape.importCatalog({ files: [{ path: 'studies.yaml', content: catalogue }] })
  })
  after(() => server.close())

  it('keeps a use case’s citation and review; refuses "reviewed" without reviewer and date, changing nothing', async () => {
    const uc = await c.landscape.useCases.get('imaging')
    assert.equal(uc.reviewer, 'Continuum maintainers (synthetic reviewer)')
    assert.equal(uc.reviewedAt, '2026-02-01')
    assert.match(uc.citation!, /D5\.1/)
    assert.equal(uc.profile.compute?.growthPerYear, 0.2)
    assert.equal('_citation' in uc.profile, false, 'provenance is not part of the profile')

    const before = await c.landscape.useCases.list({ limit: 100 })
    await rejects(
      c.landscape.useCases.add({
        name: 'claimed',
        title: 'x',
        community: 'radio',
        status: 'reviewed',
      }),
      'USE_CASE_REVIEW_INCOMPLETE',
      /missing: reviewer, reviewedAt/,
    )
    await rejects(
      c.landscape.useCases.add({
        name: 'claimed',
        title: 'x',
        community: 'radio',
        status: 'reviewed',
        reviewer: 'A role',
      }),
      'USE_CASE_REVIEW_INCOMPLETE',
      /missing: reviewedAt/,
    )
    for (const bad of [
      { reviewer: 42 },
      { reviewedAt: 'last tuesday' },
      { reviewer: '' },
      { citation: 'x'.repeat(1001) },
      { estimates: ['not', 'text'] },
    ]) {
      await rejects(
        c.landscape.useCases.add({ name: 'claimed', title: 'x', community: 'radio', ...bad }),
        'VALIDATION_FAILED',
      )
    }
    assert.equal(
      (await c.landscape.useCases.list({ limit: 100 })).items.length,
      before.items.length,
    )

    await c.landscape.useCases.add({ name: 'drafted', title: 'Drafted', community: 'radio' })
    await rejects(
      c.landscape.useCases.update('drafted', { status: 'reviewed' }),
      'USE_CASE_REVIEW_INCOMPLETE',
    )
    assert.equal((await c.landscape.useCases.get('drafted')).status, 'draft')
    const reviewed = await c.landscape.useCases.update('drafted', {
      status: 'reviewed',
      reviewer: 'Radio WG (synthetic reviewer)',
      reviewedAt: '2026-02-15',
    })
    assert.equal(reviewed.status, 'reviewed')
    // A profile change keeps the provenance kept beside it.
    const surveyed = await c.landscape.useCases.update('imaging', {
      profile: { ...uc.profile, compute: { ...uc.profile.compute, peakCores: 250 } },
    })
    assert.equal(surveyed.citation, uc.citation)
    assert.equal(surveyed.reviewer, uc.reviewer)
    assert.equal(surveyed.profile.compute?.peakCores, 250)
    await c.landscape.useCases.delete('drafted')
  })

  it('reports D5.3 checks with reasons, projected needs and actions placed in the SRIDA', async () => {
    const g = await c.landscape.gaps()
    const hpc = g.landscapeChecks.find((x) => x.infrastructure === 'hpc-a')!
    const federated = hpc.results.find((r) => r.recommendation.startsWith('federated identity'))!
    assert.deepEqual([federated.met, federated.reason], [false, 'accepts local only'])
    const p = g.projections.find((x) => x.useCase === 'imaging')!
    assert.deepEqual(
      p.horizons.map((h) => [h.years, h.policies[0]?.suffices]),
      [
        [0, true],
        [1, true],
        [3, true],
        [5, false],
      ],
    )
    const aai = g.actions.find((a) => a.requirement === 'access.aai')!
    assert.deepEqual(
      [aai.phase, aai.priority],
      ['foundation', 'P2.1 Federated identity and tokens'],
    )
    const md = await c.landscape.report('markdown')
    assert.match(md, /## D5\.3 landscape checks per infrastructure/)
    assert.match(md, /imaging: hpc-a-call suffices today, not at 5 y/)
  })

  it('assembles Blueprint- and SRIDA-shaped documents from the live data, in Markdown and HTML', async () => {
    const bp = await c.landscape.report('markdown', 'blueprint')
    assert.match(bp, /^# Technical Blueprint/)
    assert.equal(bp.match(/^## \d\. /gm)?.length, 8, 'the eight capability areas')
    assert.match(bp, /## 8\. Security and trust\n\nCoverage: 0 of 1 /)
    const srida = await c.landscape.report('markdown', 'srida')
    assert.equal(srida.match(/^## P\d /gm)?.length, 4)
    assert.equal(srida.match(/^### P\d\.\d+ /gm)?.length, 13)
    assert.match(
      srida,
      /Foundation: \d+\. policy:hpc-a-call — accept the community's identity provider/,
    )
    const html = await c.landscape.report('html', 'blueprint')
    assert.match(html, /^<!doctype html>/)
    assert.match(html, /<h2>8\. Security and trust<\/h2>/)
    const json = (await c.landscape.reportJson('srida')) as { document: string; blocks: unknown[] }
    assert.equal(json.document, 'srida')
    await rejects(
      server.client.http.request('GET', '/landscape/report.md?document=roadmap'),
      'VALIDATION_FAILED',
    )

    // Change the data: the call now accepts the community's AAI.
    await c.landscape.accessPolicies.update('hpc-a-call', { acceptedAai: ['egi-checkin'] })
    const bp2 = await c.landscape.report('markdown', 'blueprint')
    assert.match(bp2, /## 8\. Security and trust\n\nCoverage: 1 of 1 /)
    const srida2 = await c.landscape.report('html', 'srida')
    assert.doesNotMatch(srida2, /identity provider/)
  })

  it('writes both documents from the CLI (--document blueprint|srida, --format md|html) and records a review', async () => {
    const token = await server.mintToken({ sub: 'studies-admin', groups: [adminGroup] })
    const md = await cli(
      server.url,
      token,
      'landscape',
      'report',
      '--document',
      'srida',
      '--format',
      'md',
    )
    assert.equal(md.code, 0, md.stderr)
    assert.match(md.stdout, /^# Strategic Research, Innovation and Deployment Agenda/)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-studies-'))
    try {
      const file = path.join(dir, 'blueprint.html')
      const html = await cli(
        server.url,
        token,
        'landscape',
        'report',
        '--document',
        'blueprint',
        '--format',
        'html',
        '-o',
        file,
      )
      assert.equal(html.code, 0, html.stderr)
      assert.match(readFileSync(file, 'utf8'), /<h2>1\. Compute resources<\/h2>/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const review = await cli(
      server.url,
      token,
      'landscape',
      'usecases',
      'review',
      'imaging',
      '--reviewer',
      'Radio WG (synthetic reviewer)',
      '--date',
      '2026-03-01',
    )
    assert.equal(review.code, 0, review.stderr)
    assert.match(
      review.stdout,
      /imaging: reviewed by Radio WG \(synthetic reviewer\) on 2026-03-01/,
    )
    const badDate = await cli(
      server.url,
      token,
      'landscape',
      'usecases',
      'review',
      'imaging',
      '--reviewer',
      'x',
      '--date',
      'soon',
    )
    assert.equal(badDate.code, 2, 'invalid input')
    const bad = await cli(server.url, token, 'landscape', 'report', '--document', 'roadmap')
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /blueprint, srida/)
  })
})
