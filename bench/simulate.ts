/**
 * What-if simulation speed: the simulated-to-wall-clock ratio of the shipped year scenarios
 * (the target: a year of the SKA scenario in under a minute), and how the wall time
 * grows with sites, datasets (files are aggregated into datasets: one placement decision per
 * dataset, as the rule engine takes it with dataset grouping) and days. Each figure is the
 * median of `--runs` runs (default 3), the load average printed before each.
 *   node --import tsx bench/simulate.ts [--runs 3] [--quick]
 */
import { readFileSync } from 'node:fs'
import { stringify } from 'yaml'
import { parseScenario, scenariosDir, simulate } from '../src/simulate/index.js'
import { alternate, median } from './support/fair.js'

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3
const quick = args.includes('--quick')

function time(text: string): { ms: number; steps: number; datasets: number; days: number } {
  const s = parseScenario(text)
  const started = performance.now()
  const r = simulate(s)
  return {
    ms: performance.now() - started,
    steps: r.run.steps,
    datasets: r.run.datasets,
    days: s.days,
  }
}

async function measure(name: string, text: string) {
  const results = (
    await alternate([{ name, run: () => time(text) }], runs, (r) => `${r.ms.toFixed(0)} ms`)
  ).get(name)!
  const ms = median(results.map((r) => r.ms))
  const first = results[0]!
  return {
    name,
    ms,
    steps: first.steps,
    datasets: first.datasets,
    ratio: (first.days * 86_400_000) / ms,
  }
}

/** A synthetic network: `sites` nodes with tier=1, ingest at the first, two copies anywhere. */
function synthetic(sites: number, days: number, datasetHours: number): string {
  return stringify({
    name: 'synthetic',
    title: 'synthetic',
    sources: [],
    days,
    stepMinutes: 60,
    sampleHours: 24,
    sites: Array.from({ length: sites }, (_, i) => ({
      name: `s${i}`,
      diskTB: 1e6,
      cores: 10_000,
      wanGbps: 400,
      attributes: { tier: 1 },
    })),
    defaultLink: { gbps: 100, maxActive: 32, streamGbps: 2, fileOverheadS: 5 },
    communities: [
      {
        name: 'c',
        ingest: [0, 1].map((k) => ({
          site: `s${k}`,
          tbPerDay: 1000,
          meanFileMB: 5000,
          datasetHours,
        })),
        rules: [{ expression: 'tier=1', copies: 2 }],
        workflows: [
          { name: 'w', tasksPerDay: 3000, cores: 16, walltimeHours: 4, readsLatestData: true },
        ],
      },
    ],
  })
}

const rows: Array<Awaited<ReturnType<typeof measure>>> = []
console.log('shipped scenarios')
for (const name of ['ska-year', 'hl-lhc-year', 'srcnet-v0.1-data-challenge']) {
  rows.push(await measure(name, readFileSync(`${scenariosDir}${name}.yaml`, 'utf8')))
}
const grid = quick
  ? [[10, 30, 6]]
  : [
      [10, 365, 6],
      [30, 365, 6],
      [100, 365, 6],
      [10, 365, 1],
      [10, 365, 24],
      [10, 91, 6],
      [10, 730, 6],
    ]
console.log('synthetic: sites, days, dataset hours')
for (const [sites, days, dh] of grid as Array<[number, number, number]>) {
  rows.push(
    await measure(`sites=${sites} days=${days} datasetHours=${dh}`, synthetic(sites, days, dh)),
  )
}
console.log('\n| run | steps | datasets | wall (median) | simulated : wall |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.steps} | ${r.datasets} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.ratio).toLocaleString('en-GB')} : 1 |`,
  )
}
const ska = rows.find((r) => r.name === 'ska-year')!
if (ska.ms > 60_000) {
  console.error(`a year of the SKA scenario took ${(ska.ms / 1000).toFixed(1)} s: over the minute`)
  process.exit(1)
}
