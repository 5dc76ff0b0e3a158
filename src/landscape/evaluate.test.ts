import assert from 'node:assert/strict'
import { it } from 'node:test'
import type {
  AccessPolicy,
  ComputeService,
  NetworkLink,
  Reason,
  StorageService,
} from '../contract/index.js'
import {
  acceleratorAccepted,
  evaluateCompute,
  evaluateStorage,
  FIT,
  NO,
  PARTIAL,
} from './evaluate.js'
import { evaluatePolicy } from './evaluate-policy.js'
import { buildStorageFacts } from './match.js'

const t = '2026-01-01T00:00:00.000Z'
const svc = (o: Partial<ComputeService> = {}): ComputeService => ({
  id: 'x',
  name: 'svc',
  title: 't',
  infrastructure: 'i',
  site: null,
  batchSystem: 'slurm',
  cores: 1000,
  memoryPerCoreGB: 2,
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
  ...o,
})
const policy = (o: Partial<AccessPolicy> = {}): AccessPolicy => ({
  id: 'p',
  name: 'pol',
  title: 't',
  infrastructure: 'i',
  route: 'peer-reviewed-call',
  services: [],
  eligibility: { anyEuropeanResearcher: true, communities: [], vos: [], groups: [], countries: [] },
  allocationUnit: 'node-hours',
  typicalSize: null,
  periodMonths: 12,
  renewable: false,
  multiYear: false,
  acceptedAai: ['local'],
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

it('gives one reason per stated requirement, the worst verdict overall', () => {
  const reasons: Reason[] = []
  const code = evaluateCompute(
    { compute: { walltimeHours: 72, memoryPerCoreGB: 2, peakCores: 500 } },
    svc(),
    undefined,
    reasons,
  )
  assert.equal(code, NO)
  assert.deepEqual(
    reasons.map((r) => [r.requirement, r.verdict, r.reason]),
    [
      ['compute.peakCores', 'fit', 'needs 500 cores at once: has 1,000'],
      ['compute.memoryPerCoreGB', 'fit', 'needs 2 GB/core: has 2 GB/core'],
      ['compute.walltimeHours', 'no', 'walltime 72 h > max 48 h'],
    ],
  )
  assert.equal(evaluateCompute({}, svc()), FIT, 'no requirements, nothing to fail')
})

it('treats unpublished figures as partial, and cloud VMs as unlimited', () => {
  assert.equal(
    evaluateCompute({ compute: { walltimeHours: 500 } }, svc({ maxWalltimeHours: null })),
    PARTIAL,
  )
  assert.equal(
    evaluateCompute(
      { compute: { walltimeHours: 500 } },
      svc({ maxWalltimeHours: null, batchSystem: 'cloud' }),
    ),
    FIT,
  )
  assert.equal(evaluateCompute({ constraints: { maxCarbonGPerKWh: 100 } }, svc()), PARTIAL)
  assert.equal(
    evaluateCompute(
      { constraints: { maxCarbonGPerKWh: 100 } },
      svc({ energy: { pue: 1.1, carbonGPerKWh: 300, renewableShare: null } }),
    ),
    NO,
  )
})

it('ranks accelerator generations within a vendor', () => {
  assert.ok(acceleratorAccepted('NVIDIA H100', ['NVIDIA A100']))
  assert.ok(acceleratorAccepted('NVIDIA GH200', ['A100']))
  assert.ok(!acceleratorAccepted('NVIDIA V100', ['NVIDIA A100']))
  assert.ok(!acceleratorAccepted('AMD MI250X', ['NVIDIA A100']), 'no cross-vendor equivalence')
  const reasons: Reason[] = []
  assert.equal(
    evaluateCompute(
      { compute: { acceleratorModels: ['NVIDIA A100'], acceleratorCount: 8 } },
      svc({ accelerators: [{ model: 'NVIDIA H100', count: 4, memoryGB: 80 }] }),
      undefined,
      reasons,
    ),
    PARTIAL,
  )
  assert.equal(reasons[0]!.reason, 'needs 8 × NVIDIA A100 or better: has 4')
})

it('splits storage needs between disk and tape by diskShare', () => {
  const disk: StorageService = {
    id: 's',
    name: 'd',
    title: 't',
    infrastructure: 'i',
    site: null,
    media: 'disk',
    protocols: ['root'],
    capacityTB: 50_000,
    attributes: {},
    description: '',
    source: null,
    createdAt: t,
    updatedAt: t,
  }
  const reasons: Reason[] = []
  assert.equal(
    evaluateStorage(
      { data: { storedPB: 100, diskShare: 0.4, protocols: ['davs'] } },
      disk,
      undefined,
      reasons,
    ),
    NO,
  )
  assert.deepEqual(
    reasons.map((r) => r.reason),
    ['needs 40 PB on disk: has 50 PB', 'speaks davs: offers root'],
  )
  assert.equal(
    evaluateStorage({ data: { storedPB: 100, diskShare: 0.4 } }, { ...disk, media: 'tape' }),
    PARTIAL,
    '60 PB of tape wanted, 50 PB offered',
  )
})

it('checks a year of growth against the room left, and ingest/egress against the site network', () => {
  const disk: StorageService = {
    id: 's',
    name: 'd',
    title: 't',
    infrastructure: 'i',
    site: 'cern',
    media: 'disk',
    protocols: ['root'],
    capacityTB: 120_000,
    attributes: {},
    description: '',
    source: null,
    createdAt: t,
    updatedAt: t,
  }
  const profile = { data: { storedPB: 100, growthPBPerYear: 50, ingestGbps: 300, egressGbps: 100 } }
  const reasons: Reason[] = []
  assert.equal(evaluateStorage(profile, disk, { wanGbps: 200 }, reasons), PARTIAL)
  assert.deepEqual(
    reasons.map((r) => `${r.verdict} ${r.reason}`),
    [
      'fit needs 100 PB on disk: has 120 PB',
      "partial grows 50 PB/year on disk: 20 PB left after today's data",
      "partial ingest 300 Gb/s: its site's wide-area network gives 200 Gb/s",
      "fit egress 100 Gb/s: its site's wide-area network gives 200 Gb/s",
    ],
  )
  assert.equal(evaluateStorage(profile, { ...disk, capacityTB: 90_000 }, { wanGbps: 400 }), PARTIAL)
  assert.equal(evaluateStorage(profile, disk, { wanGbps: 100 }), NO, '100 Gb/s for 300 Gb/s ingest')
  const unknown: Reason[] = []
  evaluateStorage({ data: { ingestGbps: 10 } }, disk, { wanGbps: null }, unknown)
  assert.deepEqual(unknown, [
    {
      requirement: 'data.ingestGbps',
      verdict: 'partial',
      reason: 'ingest 10 Gb/s: no network capacity catalogued for its site',
    },
  ])
})

it('takes a storage site bandwidth from its fastest link, else from compute at the site', () => {
  const storage = (name: string, site: string | null) =>
    ({ name, site }) as unknown as StorageService
  const facts = buildStorageFacts(
    [storage('a', 'cern'), storage('b', 'kit'), storage('c', 'desy'), storage('d', null)],
    [
      { site: 'kit', networkEgressGbps: 100 },
      { site: 'cern', networkEgressGbps: 1000 },
    ] as unknown as ComputeService[],
    [
      { from: 'cern', to: 'kit', bandwidthGbps: 400 },
      { from: 'cern', to: 'pic', bandwidthGbps: 200 },
    ] as unknown as NetworkLink[],
  )
  assert.deepEqual(
    [...facts].map(([n, f]) => `${n} ${f.wanGbps}`),
    ['a 400', 'b 400', 'c null', 'd null'],
  )
})

it('checks eligibility, allocation model, AAI and unattended workflows against a policy', () => {
  const reasons: Reason[] = []
  const code = evaluatePolicy(
    {
      access: { allocationModel: 'multi-year', aai: ['egi-checkin'], tokens: true },
      workflow: { unattendedLongRunning: true },
    },
    'lofar',
    ['lofar'],
    policy(),
    reasons,
  )
  assert.equal(code, NO)
  assert.deepEqual(
    reasons.map((r) => `${r.verdict} ${r.reason}`),
    [
      'fit open to any European researcher',
      'no needs a multi-year allocation: access by peer reviewed call, 12-month periods',
      'no members log in with egi-checkin: accepts local',
      'no needs OIDC/WLCG tokens: local accounts only',
      'no unattended long-running workflows: not allowed (interactive users only)',
    ],
  )
  const closed = policy({
    eligibility: {
      anyEuropeanResearcher: false,
      communities: ['atlas'],
      vos: ['cms'],
      groups: [],
      countries: [],
    },
  })
  assert.equal(evaluatePolicy({}, 'lofar', ['lofar'], closed), NO)
  assert.equal(evaluatePolicy({}, 'atlas', ['atlas'], closed), FIT)
  assert.equal(
    evaluatePolicy(
      {},
      'x',
      ['x'],
      policy({
        eligibility: {
          anyEuropeanResearcher: true,
          communities: [],
          vos: [],
          groups: [],
          countries: ['DE'],
        },
      }),
    ),
    PARTIAL,
  )
})
