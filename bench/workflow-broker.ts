/**
 * Broker throughput: placement decisions per second among 1,000 compute services (target
 * ≥ 20k/s), side by side with the physical floor of the same work — one pass over the
 * candidates comparing cores and memory, without ranking or reasons. Two cases: the best one
 * (no inputs, no policy: one cached ranking serves every task) and the one users have — each
 * task reads two federation files held at a few sites, so the ranking is per task, and every
 * catalogue service is gated by the Cedar access policies (`policyGate`, the engine's own).
 *   node --import tsx bench/workflow-broker.ts
 */
import type { Context } from '../src/db/index.js'
import { compileAccessPolicy, PolicyEngine } from '../src/policy/index.js'
import {
  placeTask,
  policyGate,
  submitAction,
  type BrokerTask,
  type ComputeCandidate,
  type LocalityEstimator,
} from '../src/workflows/index.js'
import { localityFrom } from '../src/workflows/data-locality.js'

const services: ComputeCandidate[] = Array.from({ length: 1000 }, (_, i) => ({
  name: `site-${i}`,
  batchSystem:
    (['slurm', 'htcondor', 'kubernetes', 'pbs', 'cloud', 'local'] as const)[i % 6] ?? 'slurm',
  cores: 16 + (i % 256),
  memoryPerCoreMb: 1000 + (i % 4) * 1000,
  accelerators: i % 10 === 0 ? { model: 'A100', count: 4 } : null,
  maxWalltimeS: i % 5 === 0 ? 3600 : 172800,
  interactive: false,
  containerRuntimes: i % 3 === 0 ? [] : ['apptainer'],
  energyGCo2PerKwh: i % 4 === 0 ? null : 50 + (i % 700),
  wattsPerCore: 10,
  attributes: { country: ['DE', 'IT', 'NL', 'FR', 'ES'][i % 5] ?? 'DE' },
  executor: { kind: 'slurm', config: {} },
  // Catalogue services (gated by policy) at 100 sites.
  service: `svc-${i}`,
  siteName: `site-${i % 100}`,
  queued: i % 37,
  running: i % 53,
  allocationLeftCoreHours: i % 11 === 0 ? 0 : 1e6,
}))

const tasks: BrokerTask[] = Array.from({ length: 64 }, (_, i) => ({
  name: `t${i}`,
  community: 'atlas',
  cores: 1 + (i % 32),
  memoryMb: 2000 * (1 + (i % 8)),
  walltimeS: 1800 + (i % 4) * 3600,
  accelerators: i % 16 === 0 ? { model: 'A100', count: 1 } : null,
  image: i % 2 ? 'docker://alpine' : null,
  inputs: [],
  pinned: null,
  excluded: null,
}))

function measure(label: string, work: (t: BrokerTask) => unknown, seconds = 3): number {
  let n = 0
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    for (const t of tasks) work(t)
    n += tasks.length
  }
  const rate = n / seconds
  console.log(`${label.padEnd(40)} ${Math.round(rate).toLocaleString('en')} /s`)
  return rate
}

measure('warm-up', (t) => placeTask(t, services), 1)
const broker = measure('placeTask (1,000 services, reasons kept)', (t) => placeTask(t, services))
const floor = measure('floor: one filtering pass', (t) => {
  let best = -1
  for (const s of services) {
    if (s.cores >= t.cores && s.cores * s.memoryPerCoreMb >= t.memoryMb) best = s.cores
  }
  return best
})
console.log(
  `broker / floor: ${(broker / floor).toFixed(2)} (target: ≥ 20,000 placements/s → ${broker >= 20000 ? 'met' : 'NOT met'})`,
)

// The case users have: inputs in the federation (held at three of the 100 sites) and the Cedar
// gate on every catalogue service (half of them open to the task's community).
const policy = new PolicyEngine({} as Context, () => [submitAction])
policy.load(
  compileAccessPolicy({
    name: 'bench-access',
    communities: ['atlas'],
    accessRoute: 'bench',
    computeServices: services.filter((_, i) => i % 2 === 0).map((s) => s.service as string),
    storageServices: [],
    interactive: false,
    unattendedWorkflows: true,
  }),
)
const locations = new Map(
  Array.from({ length: 128 }, (_, i) => [
    `did:atlas:f${i}`,
    { bytes: 2e9, sites: [`site-${i % 100}`, `site-${(i * 7) % 100}`, `site-${(i * 13) % 100}`] },
  ]),
)
const locality: LocalityEstimator = localityFrom(locations)
const withData = tasks.map((t, i) => ({
  ...t,
  inputs: [`did:atlas:f${(2 * i) % 128}`, `did:atlas:f${(2 * i + 1) % 128}`],
}))
const options = { mayUse: policyGate(policy), locality }
let k = 0
measure('warm-up', () => placeTask(withData[k++ % withData.length]!, services, options), 1)
const real = measure('placeTask with locality and Cedar gate', () =>
  placeTask(withData[k++ % withData.length]!, services, options),
)
console.log(
  `realistic / floor: ${(real / floor).toFixed(3)} (target: ≥ 20,000 placements/s → ${real >= 20000 ? 'met' : 'NOT met'})`,
)
