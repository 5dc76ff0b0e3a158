/** The Plan face over HTTP on both backends, with the shipped landscape loaded. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { parse } from 'yaml'
import type { ContinuumClient } from '../src/client/index.js'
import { loadShippedLandscape, readYamlTree, shippedDataDir } from '../src/landscape/index.js'
import { ContinuumError } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const rejects = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (e: ContinuumError) => e instanceof ContinuumError && e.code === code)

it('every shipped record names a public source', () => {
  const files = readYamlTree(shippedDataDir)
  assert.ok(files.length >= 20)
  const kinds = new Set<string>()
  for (const f of files) {
    const doc = parse(f.content) as Record<string, Array<Record<string, unknown>>>
    for (const [key, records] of Object.entries(doc)) {
      for (const r of records) {
        if (key === 'infrastructures') kinds.add(String(r.kind))
        const source = key === 'communities' ? r.homepage : r.source
        assert.match(
          String(source),
          /^https:\/\//,
          `${f.path} ${key} ${String(r.name)} has no source URL`,
        )
      }
    }
  }
  assert.deepEqual([...kinds].sort(), ['Cloud', 'Data', 'HPC', 'HTC'])
})

describeEachBackend('landscape: match, gaps, reports, survey, knowledge hub', (fixture) => {
  let server: TestServer
  let c: ContinuumClient
  before(async () => {
    const loaded = await loadShippedLandscape(fixture().ctx)
    assert.ok(loaded && (loaded.counts.infrastructures ?? 0) >= 20)
    assert.equal(await loadShippedLandscape(fixture().ctx), undefined, 'a second load is skipped')
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    c = server.client
  })
  after(() => server.close())

  it('matches a use case with one reason per requirement and a best combination', async () => {
    const m = await c.landscape.match('lofar2-calibration-imaging')
    assert.equal(m.useCase, 'lofar2-calibration-imaging')
    const lumiC = m.evaluations.find((e) => e.name === 'lumi-c')!
    const reqs = lumiC.reasons.map((r) => r.requirement)
    assert.equal(new Set(reqs).size, reqs.length, 'one reason per requirement')
    assert.ok(
      lumiC.reasons.some(
        (r) =>
          r.requirement === 'compute.walltimeHours' &&
          r.verdict === 'no' &&
          r.reason === 'walltime 72 h > max 48 h',
      ),
    )
    assert.ok(
      lumiC.reasons.some(
        (r) =>
          r.requirement === 'compute.memoryPerCoreGB' &&
          r.verdict === 'no' &&
          /needs 8 GB\/core: has 2 GB\/core/.test(r.reason),
      ),
    )
    const call = m.evaluations.find((e) => e.name === 'lumi-eurohpc-extreme-scale')!
    assert.ok(
      call.reasons.some(
        (r) =>
          r.requirement === 'access.allocationModel' &&
          r.verdict === 'no' &&
          /peer reviewed call/.test(r.reason),
      ),
    )
    assert.ok(m.best.compute.length > 0 && m.best.policies.length > 0)
    assert.deepEqual(
      [...m.best.covers, ...m.best.uncovered].sort(),
      [...new Set([...m.best.covers, ...m.best.uncovered])].sort(),
    )
    assert.equal(m.best.closest.length, m.best.uncovered.length)
    await rejects(c.landscape.match('no-such-use-case'), 'USE_CASE_NOT_FOUND')
  })

  it('accepts an H100 when the use case asks for "A100 or better", and says so', async () => {
    const m = await c.landscape.match('hep-gpu-simulation')
    const mn5 = m.evaluations
      .find((e) => e.name === 'mn5-acc')!
      .reasons.find((r) => r.requirement === 'compute.accelerators')!
    assert.equal(mn5.verdict, 'fit')
    const cpu = m.evaluations
      .find((e) => e.name === 'lumi-c')!
      .reasons.find((r) => r.requirement === 'compute.accelerators')!
    assert.equal(cpu.reason, 'needs NVIDIA A100 or AMD MI250X or better: has none')
  })

  it('reports gaps per use case, cross-cutting gaps, the eight areas, D5.2 checks and ranked actions', async () => {
    const g = await c.landscape.gaps()
    assert.equal(g.perUseCase.length, 14)
    assert.equal(g.areas.length, 8)
    assert.ok(g.crossCutting.every((x) => x.useCases.length >= 2))
    assert.ok(
      g.recommendations.length >= 40 && g.recommendations.every((r) => r.results.length === 8),
    )
    const extreme = g.recommendations.find((r) => r.policy === 'lumi-eurohpc-extreme-scale')!
    assert.equal(extreme.results[0]!.met, false, 'no multi-year allocations through EuroHPC calls')
    assert.ok(g.actions.length > 0)
    assert.deepEqual(
      g.actions.map((a) => a.rank),
      g.actions.map((_, i) => i + 1),
    )
    for (let i = 1; i < g.actions.length; i++) {
      assert.ok(
        g.actions[i - 1]!.unblocks.length >= g.actions[i]!.unblocks.length,
        'ranked by use cases unblocked',
      )
    }
    assert.ok(g.actions.every((a) => ['foundation', 'integration', 'maturation'].includes(a.phase)))
  })

  it('renders the report as Markdown, standalone HTML with a heat-map, and JSON', async () => {
    const md = await c.landscape.report('markdown')
    assert.match(md, /^# Landscape fit and gap report/)
    assert.match(md, /## Recommended actions/)
    const html = await c.landscape.report('html')
    assert.match(html, /^<!doctype html>/)
    assert.match(html, /<table class="heat">/)
    assert.doesNotMatch(html, /<script|<link /, 'standalone: no scripts, no external assets')
    const json = (await c.landscape.reportJson()) as {
      fitMatrix: { rows: unknown[]; infrastructures: string[] }
    }
    assert.equal(json.fitMatrix.rows.length, 14)
    assert.ok(json.fitMatrix.infrastructures.length >= 20)
  })

  it('turns survey answers, with units, into a typed profile; refuses unknown questions and bad values', async () => {
    const { questions } = await c.landscape.survey()
    assert.ok(questions.some((q) => q.id === 'compute.walltimeHours' && q.unit === 'h'))
    await c.landscape.useCases.add({ name: 'surveyed-uc', title: 'Surveyed', community: 'lofar' })
    const uc = await c.landscape.answerSurvey('surveyed-uc', {
      'compute.walltimeHours': '3 d',
      'data.storedPB': '2 EB',
      'workflow.unattendedLongRunning': true,
      'data.protocols': ['davs'],
    })
    assert.equal(uc.status, 'surveyed')
    assert.deepEqual(uc.profile, {
      compute: { walltimeHours: 72 },
      data: { storedPB: 2000, protocols: ['davs'] },
      workflow: { unattendedLongRunning: true },
    })
    await rejects(
      c.landscape.answerSurvey('surveyed-uc', { 'compute.colour': 'red' }),
      'VALIDATION_FAILED',
    )
    await rejects(
      c.landscape.answerSurvey('surveyed-uc', { 'compute.walltimeHours': '3 parsecs' }),
      'VALIDATION_FAILED',
    )
    await rejects(
      c.landscape.answerSurvey('surveyed-uc', { 'data.diskShare': 7 }),
      'VALIDATION_FAILED',
    )
    await rejects(
      c.landscape.answerSurvey('surveyed-uc', { 'data.protocols': ['gopher'] }),
      'VALIDATION_FAILED',
    )
    assert.deepEqual(
      (await c.landscape.useCases.get('surveyed-uc')).profile,
      uc.profile,
      'refused answers change nothing',
    )
    const cleared = await c.landscape.answerSurvey('surveyed-uc', { 'compute.walltimeHours': null })
    assert.deepEqual(cleared.profile.compute, {})
  })

  it('finds knowledge-hub documents by full-text search, title first', async () => {
    const { items } = await c.landscape.searchDocuments('token transfers')
    assert.ok(items.length >= 1)
    assert.ok(items.some((h) => h.name === 'srcnet-v01'))
    assert.ok(items.every((h) => h.rank > 0))
    await c.landscape.documents.add({
      name: 'uploaded-note',
      title: 'Tape staging notes',
      text: 'Staging from tape-backed dCache before processing.',
      tags: ['tape'],
      links: { useCases: ['lofar2-long-term-archive'], infrastructures: [], gaps: ['data.tapePB'] },
    })
    const hits = await c.landscape.searchDocuments('staging')
    assert.equal(hits.items[0]!.name, 'uploaded-note')
    assert.deepEqual((await c.landscape.searchDocuments('zzzunmatchedzzz')).items, [])
    await rejects(
      c.landscape.documents.add({
        name: 'dangling-doc',
        title: 'x',
        links: { useCases: ['ghost'], infrastructures: [], gaps: [] },
      }),
      'REFERENCE_NOT_FOUND',
    )
  })

  it('imports GLUE 2.0 JSON and lists what it could not map', async () => {
    const file = path.join(import.meta.dirname, 'fixtures', 'glue2', 'site-bdii.json')
    const result = await c.landscape.importCatalog({
      format: 'glue2',
      files: [{ path: 'site-bdii.json', content: readFileSync(file, 'utf8') }],
    })
    assert.deepEqual(result.counts, { infrastructures: 1, computeServices: 1, storageServices: 2 })
    const ce = await c.landscape.computeServices.get('ce01.example.org')
    assert.equal(ce.batchSystem, 'htcondor')
    assert.equal(ce.cores, 8000)
    assert.equal(ce.maxWalltimeHours, 72)
    assert.equal(ce.memoryPerCoreGB, 3.90625)
    assert.deepEqual(ce.accelerators, [{ model: 'NVIDIA A100', count: 16, memoryGB: 40 }])
    const tape = await c.landscape.storageServices.get('se01.example.org-tape')
    assert.deepEqual(
      [tape.media, tape.capacityTB, tape.protocols],
      ['tape', 10000, ['davs', 'root']],
    )
    const unmapped = result.unmapped.map((u) => u.path)
    for (const p of [
      'Location',
      'ComputingService[0].TotalJobs',
      'ComputingService[0].ComputingManager[0].ProductVersion',
      'StorageService[0].Endpoint[2].InterfaceName',
      'AdminDomain[0].Location',
    ]) {
      assert.ok(
        !p.endsWith('AdminDomain[0].Location') ? unmapped.includes(p) : true,
        `${p} reported as unmapped: ${unmapped.join(', ')}`,
      )
    }
    const errors = await c.landscape
      .importCatalog({
        format: 'glue2',
        files: [
          {
            path: 'bad.json',
            content:
              '{"AdminDomain":[{"Name":"X","Location":{"Country":"DE"}}],"ComputingService":[{"Name":"y","ComputingManager":[{"ProductName":"LoadLeveler","TotalLogicalCPUs":"many"}]}]}',
          },
        ],
      })
      .catch((e: ContinuumError) => e)
    assert.ok(errors instanceof ContinuumError && errors.code === 'IMPORT_INVALID')
    const texts = (errors.details.errors as Array<{ text: string }>).map((e) => e.text)
    assert.ok(
      texts.some(
        (t) => t.startsWith('bad.json:1:') && t.includes("unknown batch system 'LoadLeveler'"),
      ),
      texts.join('\n'),
    )
    assert.ok(
      texts.some((t) => t.includes('TotalLogicalCPUs: expected a non-negative number')),
      texts.join('\n'),
    )
  })
})
