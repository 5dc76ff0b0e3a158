/**
 * Landscape matching and gap analysis at scale.
 *   1. A generated landscape of 100 infrastructures × 100 services (50 compute + 50 storage
 *      each) and 1,000 use cases: use-case × service evaluations per second on the matcher's
 *      verdict path, side by side with the floor — a loop that does one comparison per pair
 *      over the same objects (memory traffic only) — and their ratio. Target ≥ 1M/s.
 *   2. The full gap report of the shipped data set (snapshot read from PGlite, every use case
 *      matched with reasons, gaps, areas, D5.2 checks, actions). Target < 200 ms.
 * Run: node --import tsx bench/landscape-match.ts
 */
import os from 'node:os'
import type {
  AccessPolicy,
  ComputeService,
  RequirementProfile,
  StorageService,
  UseCase,
} from '../src/contract/index.js'
import { connect, migrate } from '../src/db/index.js'
import {
  buildFacts,
  evaluateCompute,
  evaluatePolicy,
  evaluateStorage,
  gapReport,
  loadLandscape,
  loadShippedLandscape,
  matchUseCase,
} from '../src/landscape/index.js'
import { systemActor, systemClock } from '../src/platform/index.js'

let seed = 42
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
const now = new Date().toISOString()

function generate() {
  const compute: ComputeService[] = []
  const storage: StorageService[] = []
  const policies: AccessPolicy[] = []
  for (let i = 0; i < 100; i++) {
    const infra = `infra-${i}`
    for (let j = 0; j < 50; j++) {
      compute.push({
        id: `${i}-${j}`,
        name: `cs-${i}-${j}`,
        title: 't',
        infrastructure: infra,
        site: null,
        batchSystem: pick(['slurm', 'htcondor', 'kubernetes', 'cloud'] as const),
        cores: Math.floor(rnd() * 500_000),
        memoryPerCoreGB: pick([1, 2, 4, 8, null]),
        accelerators:
          rnd() < 0.3
            ? [
                {
                  model: pick(['NVIDIA A100', 'NVIDIA H100', 'AMD MI250X', 'NVIDIA V100']),
                  count: Math.floor(rnd() * 4000) + 1,
                  memoryGB: 40,
                },
              ]
            : [],
        maxWalltimeHours: pick([24, 48, 72, 168, null]),
        interactive: rnd() < 0.4,
        containerRuntimes: rnd() < 0.8 ? ['apptainer'] : [],
        networkEgressGbps: pick([10, 100, 400, null]),
        energy:
          rnd() < 0.5
            ? { pue: 1 + rnd() * 0.5, carbonGPerKWh: rnd() * 500, renewableShare: rnd() }
            : null,
        attributes: {},
        description: '',
        source: null,
        createdAt: now,
        updatedAt: now,
      })
      storage.push({
        id: `${i}-${j}`,
        name: `ss-${i}-${j}`,
        title: 't',
        infrastructure: infra,
        site: null,
        media: pick(['disk', 'tape', 'object'] as const),
        protocols: [pick(['root', 'davs', 's3', 'posix'] as const)],
        capacityTB: rnd() < 0.9 ? rnd() * 100_000 : null,
        attributes: {},
        description: '',
        source: null,
        createdAt: now,
        updatedAt: now,
      })
    }
    policies.push({
      id: `${i}`,
      name: `pol-${i}`,
      title: 't',
      infrastructure: infra,
      route: pick(['peer-reviewed-call', 'rolling', 'community-membership', 'national'] as const),
      services: [],
      eligibility: {
        anyEuropeanResearcher: rnd() < 0.7,
        communities: [],
        vos: ['atlas'],
        groups: [],
        countries: [],
      },
      allocationUnit: 'core-hours',
      typicalSize: null,
      periodMonths: 12,
      renewable: rnd() < 0.5,
      multiYear: rnd() < 0.3,
      acceptedAai: [pick(['egi-checkin', 'local', 'indigo-iam'])],
      crossInfrastructure: rnd() < 0.3,
      interactive: rnd() < 0.5,
      unattendedWorkflows: rnd() < 0.5,
      userInterfaces: [],
      feedbackLoop: false,
      description: '',
      source: null,
      createdAt: now,
      updatedAt: now,
    })
  }
  const useCases: UseCase[] = []
  for (let k = 0; k < 1000; k++) {
    const profile: RequirementProfile = {
      compute: {
        coreHoursPerYear: rnd() * 1e9,
        peakCores: rnd() * 200_000,
        memoryPerCoreGB: pick([2, 4, 8]),
        walltimeHours: pick([12, 24, 48, 72]),
        ...(rnd() < 0.3 ? { acceleratorModels: ['NVIDIA A100'], acceleratorCount: 64 } : {}),
        interactiveShare: pick([0, 0.1, 0.5]),
      },
      data: {
        storedPB: rnd() * 500,
        diskShare: rnd(),
        protocols: [pick(['root', 'davs', 's3'] as const)],
      },
      software: {
        containers: true,
        cvmfsRepositories: rnd() < 0.5 ? ['/cvmfs/atlas.cern.ch'] : [],
      },
      workflow: { unattendedLongRunning: rnd() < 0.5 },
      access: {
        allocationModel: pick(['multi-year', 'per-call', 'pledged'] as const),
        crossInfrastructure: rnd() < 0.5,
        aai: ['egi-checkin'],
        tokens: rnd() < 0.5,
      },
      constraints: rnd() < 0.2 ? { maxCarbonGPerKWh: 100 } : {},
    }
    useCases.push({
      id: `${k}`,
      name: `uc-${k}`,
      title: 't',
      community: 'atlas',
      field: null,
      status: 'draft',
      profile,
      description: '',
      source: null,
      citation: null,
      estimates: null,
      reviewer: null,
      reviewedAt: null,
      createdAt: now,
      updatedAt: now,
    })
  }
  return {
    compute,
    storage,
    policies,
    useCases,
    facts: buildFacts(compute, []),
    storageFacts: new Map(),
  }
}

function timeIt(f: () => number): { ms: number; result: number } {
  const t = process.hrtime.bigint()
  const result = f()
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result }
}

const g = generate()
const pairs = g.useCases.length * (g.compute.length + g.storage.length)
// Warm up both loops so the JIT has compiled them before timing.
for (let r = 0; r < 2; r++) {
  for (const uc of g.useCases.slice(0, 50)) {
    for (const s of g.compute) evaluateCompute(uc.profile, s, g.facts.get(s.name))
  }
}
const matcher = timeIt(() => {
  let fits = 0
  for (const uc of g.useCases) {
    const p = uc.profile
    for (const s of g.compute) if (evaluateCompute(p, s, g.facts.get(s.name)) === 0) fits++
    for (const s of g.storage) if (evaluateStorage(p, s) === 0) fits++
    for (const s of g.policies) if (evaluatePolicy(p, uc.community, [uc.community], s) === 0) fits++
  }
  return fits
})
const floor = timeIt(() => {
  let n = 0
  for (const uc of g.useCases) {
    const need = uc.profile.compute?.peakCores ?? 0
    for (const s of g.compute) if (s.cores >= need) n++
    for (const s of g.storage) if ((s.capacityTB ?? 0) >= need) n++
  }
  return n
})
const rate = pairs / (matcher.ms / 1000)
const floorRate = pairs / (floor.ms / 1000)

const database = await connect('memory:')
await migrate(database)
const ctx = { db: database.db, clock: systemClock, actor: systemActor('bench') }
await loadShippedLandscape(ctx)
let l = await loadLandscape(ctx)
for (let i = 0; i < 3; i++) gapReport(l) // warm-up
const runs: number[] = []
const endToEnd: number[] = []
for (let i = 0; i < 10; i++) {
  runs.push(timeIt(() => gapReport(l).actions.length).ms)
  const t = process.hrtime.bigint()
  l = await loadLandscape(ctx)
  gapReport(
    l,
    l.useCases.map((uc) => matchUseCase(l, uc)),
  )
  endToEnd.push(Number(process.hrtime.bigint() - t) / 1e6)
}
await database.close()
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
)
console.log(
  `generated landscape: 100 infrastructures × 100 services (${g.compute.length} compute + ${g.storage.length} storage), ${g.policies.length} policies, ${g.useCases.length} use cases`,
)
console.log(
  `use-case × service evaluations: ${pairs.toLocaleString('en-GB')} (+ ${(g.useCases.length * g.policies.length).toLocaleString('en-GB')} policy evaluations)`,
)
console.log(
  `  matcher (every requirement, verdict path)  ${matcher.ms.toFixed(0)} ms  ${(rate / 1e6).toFixed(2)} M evaluations/s   target ≥ 1 M/s: ${rate >= 1e6 ? 'met' : 'MISSED'}`,
)
console.log(
  `  floor (one comparison per pair)            ${floor.ms.toFixed(0)} ms  ${(floorRate / 1e6).toFixed(2)} M pairs/s`,
)
console.log(`  ratio matcher / floor                      ${(rate / floorRate).toFixed(3)}`)
console.log(
  `shipped data set: ${l.infrastructures.length} infrastructures, ${l.compute.length + l.storage.length} services, ${l.policies.length} policies, ${l.useCases.length} use cases`,
)
console.log(
  `  full gap report (snapshot in memory)       median ${median(runs).toFixed(1)} ms   target < 200 ms: ${median(runs) < 200 ? 'met' : 'MISSED'}`,
)
console.log(`  read snapshot from PGlite + gap report     median ${median(endToEnd).toFixed(1)} ms`)
