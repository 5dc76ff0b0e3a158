/**
 * All of the studies on data the tests build: the shipped D5.1 use cases' sources and statuses,
 * D5.3 checks with reasons, actions placed in the SRIDA, projected needs against policies, and
 * the Blueprint- and SRIDA-shaped documents following the data they are built from.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { parse } from 'yaml'
import type {
  AccessPolicy,
  ComputeService,
  Infrastructure,
  StorageService,
  UseCase,
} from '../contract/index.js'
import { checkLandscape, d53Checks } from './d53.js'
import { gapReport } from './gaps.js'
import { matchUseCase, type Landscape } from './match.js'
import { policySuffices, projectNeeds, projectProfile } from './projection.js'
import { reportData } from './report.js'
import { requirementAreas } from './requirements.js'
import { readYamlTree, shippedDataDir } from './shipped.js'
import { pillars, priorities, priorityOf } from './srida.js'
import {
  blocksToHtml,
  blocksToMarkdown,
  blueprintDocument,
  sridaDocument,
} from './study-documents.js'

const t = '2026-01-01T00:00:00.000Z'
const infra = (name: string) => ({ name, kind: 'HPC', country: 'EU' }) as unknown as Infrastructure
const compute = (name: string, infrastructure: string, cores = 1000): ComputeService => ({
  id: name,
  name,
  title: name,
  infrastructure,
  site: null,
  batchSystem: 'slurm',
  cores,
  memoryPerCoreGB: 4,
  accelerators: [],
  maxWalltimeHours: 48,
  interactive: false,
  containerRuntimes: ['apptainer'],
  networkEgressGbps: null,
  energy: null,
  attributes: {},
  description: '',
  source: null,
  createdAt: t,
  updatedAt: t,
})
const storage = (name: string, infrastructure: string, protocols: string[]) =>
  ({
    id: name,
    name,
    title: name,
    infrastructure,
    site: null,
    media: 'disk',
    protocols,
    capacityTB: 1000,
  }) as unknown as StorageService
const policy = (
  name: string,
  infrastructure: string,
  o: Partial<AccessPolicy> = {},
): AccessPolicy => ({
  id: name,
  name,
  title: name,
  infrastructure,
  route: 'peer-reviewed-call' as const,
  services: [],
  eligibility: {
    anyEuropeanResearcher: true,
    communities: [],
    vos: [],
    groups: [],
    countries: [],
  },
  allocationUnit: 'core-hours' as const,
  typicalSize: null,
  periodMonths: 12,
  renewable: false,
  multiYear: false,
  acceptedAai: ['egi-checkin'],
  crossInfrastructure: false,
  interactive: false,
  unattendedWorkflows: false,
  userInterfaces: [],
  feedbackLoop: false,
  description: '',
  source: null,
  createdAt: t,
  updatedAt: t,
  ...o,
})
const useCase = (name: string, profile: UseCase['profile']) =>
  ({ id: name, name, community: 'c', status: 'draft', profile }) as unknown as UseCase
const landscape = (o: Partial<Landscape>): Landscape => ({
  infrastructures: [],
  compute: [],
  storage: [],
  policies: [],
  software: [],
  useCases: [],
  facts: new Map(),
  storageFacts: new Map(),
  ...o,
})
const report = (l: Landscape) => {
  const matches = l.useCases.map((uc) => matchUseCase(l, uc))
  return reportData(l, matches, gapReport(l, matches), new Date(t))
}

it('ships D5.1’s 14 use cases, complementary fields included, each with a specific source and a status that means something', () => {
  const file = readYamlTree(shippedDataDir).find((f) => f.path.endsWith('use-cases.yaml'))!
  const ucs = (parse(file.content) as { useCases: Array<Record<string, unknown>> }).useCases
  assert.equal(ucs.length, 14)
  const fields = new Set(ucs.map((u) => String(u.field)))
  assert.ok(fields.has('High-Energy Physics') && fields.has('Radio Astronomy'))
  assert.ok(fields.size >= 6, `related fields beyond HEP and RA: ${[...fields].join(', ')}`)
  for (const u of ucs) {
    const name = String(u.name)
    assert.match(String(u.source), /^https:\/\//, name)
    assert.doesNotMatch(
      String(u.source),
      /^https:\/\/(www\.)?spectrumproject\.eu\/?$/,
      `${name}: the project home page alone is no source`,
    )
    assert.ok(
      String((u.citation as string | undefined) ?? '').length > 40,
      `${name} says where its figures come from`,
    )
    assert.ok(
      String((u.estimates as string | undefined) ?? '').length > 10,
      `${name} says which figures are estimates`,
    )
    assert.ok(u.status === 'draft' || u.status === 'reviewed', `${name}: ${String(u.status)}`)
    if (u.status === 'reviewed') {
      assert.match(String(u.reviewer), /\S/, `${name} names its reviewer`)
      assert.match(String(u.reviewedAt), /^\d{4}-\d{2}-\d{2}$/, `${name} dates its review`)
      assert.match(String(u.citation), /D5\.1/, `${name}: a reviewed SPECTRUM figure cites D5.1`)
    }
  }
  // Reviewed only where SPECTRUM gives the headline figures; the rest stay draft.
  assert.ok(ucs.filter((u) => u.status === 'reviewed').length >= 4)
  assert.ok(ucs.filter((u) => u.status === 'draft').length >= 4)
})

it('places every requirement in one of 13 priorities under 4 pillars', () => {
  assert.equal(pillars.length, 4)
  assert.equal(priorities.length, 13)
  for (const key of Object.keys(requirementAreas)) {
    const owners = priorities.filter((p) => p.requirements.includes(key))
    assert.equal(owners.length, 1, `${key} belongs to exactly one priority`)
    assert.equal(priorityOf(key).pillar.id, owners[0]!.pillar)
  }
})

it('checks D5.3 on every infrastructure with a reason for each pass and fail', () => {
  const l = landscape({
    infrastructures: [infra('a'), infra('b')],
    compute: [
      { ...compute('a-cpu', 'a'), energy: { pue: 1.1, carbonGPerKWh: null, renewableShare: null } },
    ],
    storage: [storage('a-disk', 'a', ['davs']), storage('b-disk', 'b', ['posix'])],
    policies: [policy('a-pol', 'a'), policy('b-pol', 'b', { acceptedAai: ['local'] })],
  })
  const [a, b] = checkLandscape(l)
  assert.equal(a!.results.length, d53Checks.length)
  const by = (c: typeof a, prefix: string) =>
    c!.results.find((r) => r.recommendation.startsWith(prefix))!
  assert.deepEqual(by(a, 'storage'), { ...by(a, 'storage'), met: true, reason: 'a-disk: davs' })
  assert.equal(by(b, 'storage').reason, 'POSIX only: no wide-area protocol')
  assert.equal(by(b, 'portable').reason, 'no compute service catalogued')
  assert.equal(by(a, 'energy').reason, 'a-cpu: PUE 1.1')
  assert.equal(by(b, 'federated').met, false)
  assert.equal(by(b, 'federated').reason, 'accepts local only')
  assert.equal(by(a, 'heterogeneous').reason, 'CPU only (a-cpu)')
  for (const r of [...a!.results, ...b!.results]) assert.ok(r.reason && r.basis)
  assert.equal(a!.met, a!.results.filter((r) => r.met).length)
})

it('gives every recommended action a Blueprint area, a SRIDA pillar, priority and phase', () => {
  const l = landscape({
    infrastructures: [infra('a')],
    compute: [compute('a-cpu', 'a')],
    policies: [policy('a-pol', 'a', { acceptedAai: ['local'] })],
    useCases: [
      useCase('uc', {
        compute: { peakCores: 100, walltimeHours: 96 },
        access: { aai: ['ska-iam'], crossInfrastructure: true },
      }),
    ],
  })
  const actions = gapReport(l).actions
  assert.ok(actions.length >= 3)
  for (const a of actions) {
    assert.ok(['foundation', 'integration', 'maturation'].includes(a.phase))
    assert.match(a.pillar, /^P[1-4] /)
    assert.match(a.priority, /^P[1-4]\.\d+ /)
    assert.ok(a.area.length > 0)
  }
  const aai = actions.find((a) => a.requirement === 'access.aai')!
  assert.equal(aai.phase, 'foundation')
  assert.equal(aai.priority, 'P2.1 Federated identity and tokens')
  assert.equal(aai.area, 'Security and trust')
})

it('flags a policy that suffices today but not in 5 years', () => {
  const need = { compute: { coreHoursPerYear: 1_000_000, peakCores: 100, growthPerYear: 0.2 } }
  // Sized for today (1.0e6 a year) but not for 1.2^5 ≈ 2.49e6.
  const sized = policy('sized', 'a', { typicalSize: 2_000_000, renewable: true })
  assert.equal(policySuffices(sized, need, 0).suffices, true)
  assert.equal(policySuffices(sized, projectProfile(need, 3), 3).suffices, true)
  const at5 = policySuffices(sized, projectProfile(need, 5), 5)
  assert.equal(at5.suffices, false)
  assert.match(at5.reason, /typical allocation 2e6 core-hours a year < projected need 2\.49e6/)
  // A one-year allocation that cannot be renewed: fine for a year, not for five.
  const once = policy('once', 'a', { periodMonths: 12 })
  assert.equal(policySuffices(once, need, 1).suffices, true)
  assert.match(policySuffices(once, need, 5).reason, /does not cover 5 year/)

  const l = landscape({
    infrastructures: [infra('a')],
    compute: [compute('a-cpu', 'a', 1000)],
    policies: [sized],
    useCases: [useCase('grows', need), useCase('flat', { compute: { peakCores: 100 } })],
  })
  const [grows, flat] = projectNeeds(l)
  assert.deepEqual(
    grows!.horizons.map((h) => h.years),
    [0, 1, 3, 5],
  )
  assert.deepEqual(
    grows!.horizons.map((h) => h.policies[0]!.suffices),
    [true, true, true, false],
  )
  assert.equal(grows!.horizons[3]!.coreHoursPerYear, Math.round(1_000_000 * 1.2 ** 5))
  assert.match(flat!.basis, /no compute growth figure: held at today/)
  // Data grows linearly from the use case's own PB-a-year figure.
  assert.equal(projectProfile({ data: { storedPB: 10, growthPBPerYear: 2 } }, 3).data!.storedPB, 16)
  const md = blocksToMarkdown(sridaDocument(l, report(l)))
  assert.match(md, /grows: sized suffices today, not at 5 y — typical allocation/)
})

it('assembles Blueprint- and SRIDA-shaped documents from the data, in Markdown and HTML', () => {
  const base = landscape({
    infrastructures: [infra('a')],
    compute: [compute('a-cpu', 'a')],
    storage: [storage('a-disk', 'a', ['davs'])],
    policies: [policy('a-pol', 'a', { acceptedAai: ['local'] })],
    useCases: [useCase('uc', { compute: { peakCores: 100 }, access: { aai: ['ska-iam'] } })],
  })
  const bp = blocksToMarkdown(blueprintDocument(base, report(base)))
  for (const area of ['1. Compute resources', '2. Data resources', '8. Security and trust']) {
    assert.match(bp, new RegExp(`^## ${area}$`, 'm'))
  }
  assert.match(bp, /## 8\. Security and trust\n\nCoverage: 0 of 1 stated requirements met \(0 %\)/)
  assert.match(bp, /uc — access\.aai: closest a-pol/)
  const srida = blocksToMarkdown(sridaDocument(base, report(base)))
  assert.match(srida, /^## P2 Federation and trust$/m)
  assert.match(srida, /^### P2\.1 Federated identity and tokens$/m)
  assert.match(srida, /Foundation: 1\. policy:a-pol — accept the community's identity provider/)
  assert.match(srida, /working labels/)

  // Change the data: the policy now accepts the community's AAI — the gap and action go.
  const fixed = { ...base, policies: [policy('a-pol', 'a', { acceptedAai: ['ska-iam'] })] }
  const bp2 = blocksToMarkdown(blueprintDocument(fixed, report(fixed)))
  const srida2 = blocksToMarkdown(sridaDocument(fixed, report(fixed)))
  assert.match(
    bp2,
    /## 8\. Security and trust\n\nCoverage: 1 of 1 stated requirements met \(100 %\)/,
  )
  assert.doesNotMatch(bp2, /access\.aai: closest/)
  assert.doesNotMatch(srida2, /identity provider/)

  const html = blocksToHtml(sridaDocument(base, report(base)))
  assert.match(html, /^<!doctype html>/)
  assert.match(html, /<h2>P2 Federation and trust<\/h2>/)
  assert.match(html, /accept the community&#39;s identity provider/)
  assert.doesNotMatch(html, /<script/)
})
