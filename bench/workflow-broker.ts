/**
 * Broker throughput: placement decisions per second among 1,000 compute services (target
 * ≥ 20k/s), side by side with the physical floor of the same work — one pass over the
 * candidates comparing cores and memory, without ranking or reasons.
 *   node --import tsx bench/workflow-broker.ts
 */
import { placeTask, type BrokerTask, type ComputeCandidate } from '../src/workflows/index.js'

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
