import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { AccessPolicy, ComputeService, Infrastructure, UseCase } from '../contract/index.js'
import { gapReport } from './gaps.js'
import { matchUseCase, type Landscape } from './match.js'
import { reportData } from './report.js'

const t = '2026-01-01T00:00:00.000Z'
const infra = (name: string) => ({ name, kind: 'hpc', country: 'EU' }) as unknown as Infrastructure
const compute = (name: string, infrastructure: string): ComputeService => ({
  id: name,
  name,
  title: name,
  infrastructure,
  site: null,
  batchSystem: 'slurm',
  cores: 1000,
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
const policy = (name: string, infrastructure: string, acceptedAai: string[]): AccessPolicy => ({
  id: name,
  name,
  title: name,
  infrastructure,
  route: 'peer-reviewed-call',
  services: [],
  eligibility: { anyEuropeanResearcher: true, communities: [], vos: [], groups: [], countries: [] },
  allocationUnit: 'node-hours',
  typicalSize: null,
  periodMonths: 12,
  renewable: false,
  multiYear: false,
  acceptedAai,
  crossInfrastructure: false,
  interactive: false,
  unattendedWorkflows: false,
  userInterfaces: [],
  feedbackLoop: false,
  description: '',
  source: null,
  createdAt: t,
  updatedAt: t,
})
const useCase = (profile: UseCase['profile']) =>
  ({ id: 'uc', name: 'uc', profile }) as unknown as UseCase
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

it('an infrastructure without compute is no fit for a compute need', () => {
  const l = landscape({
    infrastructures: [infra('a'), infra('b')],
    compute: [compute('a-cpu', 'a')],
    policies: [policy('a-pol', 'a', ['local']), policy('b-pol', 'b', ['local'])],
    useCases: [useCase({ compute: { peakCores: 100 } })],
  })
  const matches = l.useCases.map((uc) => matchUseCase(l, uc))
  const r = reportData(l, matches, gapReport(l, matches), new Date(t))
  assert.deepEqual(r.fitMatrix.rows[0]!.cells, ['fit', 'no'])
})

it('a gap never names as closest a record that meets the requirement', () => {
  // Two infrastructures are needed for capacity; only one accepts the community's AAI.
  const l = landscape({
    infrastructures: [infra('a'), infra('b')],
    compute: [compute('a-cpu', 'a'), compute('b-cpu', 'b')],
    policies: [policy('a-pol', 'a', ['ska-iam']), policy('b-pol', 'b', ['local'])],
    useCases: [useCase({ compute: { peakCores: 1500 }, access: { aai: ['ska-iam'] } })],
  })
  const m = matchUseCase(l, l.useCases[0]!)
  assert.ok(m.best.uncovered.includes('access.aai'))
  const gap = m.best.closest.find((c) => c.requirement === 'access.aai')!
  assert.match(gap.reason, /^b-pol: /)
  const actions = gapReport(l, [m]).actions.filter((a) => a.change.includes('identity provider'))
  assert.deepEqual(
    actions.map((a) => a.target),
    ['policy:b-pol'],
  )
})
