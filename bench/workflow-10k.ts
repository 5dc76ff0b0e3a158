/**
 * Many trivial tasks — a fan-out into chains of three and a fan-in — at several sizes, side by
 * side: Continuum with the local site's default settings and the job sandbox on (embedded
 * PGlite, one in-process engine, 2 cores), Snakemake 7 (`--scheduler greedy --cores 2`, the
 * equivalent Snakefile) and the floor, `xargs -P 2` running the same `touch` commands. Each side
 * runs `--runs` times per size in alternating order (bench/support/fair.ts); medians are
 * compared.
 *   node --import tsx bench/workflow-10k.ts [--sizes=100,1000,2000] [--runs=3] [--no-snakemake]
 *   (a single number N means --sizes=N)
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { connect, migrate } from '../src/db/index.js'
import { systemActor, silentLogger, systemClock, runAgents } from '../src/platform/index.js'
import {
  getWorkflow,
  putComputeSite,
  submitWorkflow,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { runFairly, type Contender } from './support/fair.js'

const option = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const single = process.argv.slice(2).find((a) => /^\d+$/.test(a))
const sizes = (option('sizes') ?? single ?? '100,1000,2000').split(',').map(Number)
const runs = Number(option('runs') ?? 3)
const withSnakemake = !process.argv.includes('--no-snakemake')
const cores = 2

function dir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `continuum-bench-${label}-`))
}

async function continuum(width: number): Promise<number> {
  const work = dir('continuum')
  const database = await connect('memory:')
  await migrate(database)
  const ctx = { db: database.db, clock: systemClock, actor: systemActor('bench') }
  await putComputeSite(ctx, {
    name: 'local',
    executor: 'local',
    // The site's defaults, as `npm start` makes them: no in-flight limit or idle wait set here.
    config: { root: path.join(work, 'runs') },
    cores,
    memoryPerCoreMb: 4096,
  })
  const source = `name: bench
defaults: { resources: { memory: 10MB } }
tasks:
  - { name: start, command: [touch, start], outputs: [start] }
  - { name: a, scatter: { range: ${width} }, inputs: [start], outputs: ['a\${{ item }}'], command: [touch, 'a\${{ item }}'] }
  - { name: b, scatter: { range: ${width} }, inputs: ['a\${{ item }}'], outputs: ['b\${{ item }}'], command: [touch, 'b\${{ item }}'] }
  - { name: c, scatter: { range: ${width} }, inputs: ['b\${{ item }}'], outputs: ['c\${{ item }}'], command: [touch, 'c\${{ item }}'] }
  - { name: end, needs: [c], command: [touch, end] }
`
  const started = performance.now()
  const wf = await submitWorkflow(ctx, { source, workdir: work, noCache: true })
  const runner = runAgents([new WorkflowEngine(ctx, { workerId: 'bench' })], silentLogger)
  let state = wf.state as string
  while (!['succeeded', 'failed', 'cancelled'].includes(state)) {
    await new Promise((r) => setTimeout(r, 25))
    state = (await getWorkflow(ctx, wf.id)).state
  }
  const seconds = (performance.now() - started) / 1000
  await runner.stop()
  await database.close()
  if (state !== 'succeeded') throw new Error(`workflow ${state}`)
  return seconds
}

function snakemake(width: number): number {
  const work = dir('snakemake')
  writeFileSync(
    path.join(work, 'Snakefile'),
    `N = ${width}
rule all:
    input: "end"
rule start:
    output: "start"
    shell: "touch {output}"
rule a:
    input: "start"
    output: "a{i}"
    shell: "touch {output}"
rule b:
    input: "a{i}"
    output: "b{i}"
    shell: "touch {output}"
rule c:
    input: "b{i}"
    output: "c{i}"
    shell: "touch {output}"
rule end:
    input: expand("c{i}", i=range(N))
    output: "end"
    shell: "touch {output}"
`,
  )
  const started = performance.now()
  const r = spawnSync(
    'snakemake',
    ['--cores', String(cores), '--scheduler', 'greedy', '--quiet', '-s', 'Snakefile'],
    { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  if (r.status !== 0) throw new Error(`snakemake failed: ${r.stderr.toString().slice(-500)}`)
  return (performance.now() - started) / 1000
}

function xargs(tasks: number): number {
  const work = dir('xargs')
  mkdirSync(work, { recursive: true })
  const list = path.join(work, 'names')
  writeFileSync(list, Array.from({ length: tasks }, (_, i) => `f${i}`).join('\n'))
  const started = performance.now()
  const r = spawnSync('xargs', ['-P', String(cores), '-n', '1', '-a', list, 'touch'], { cwd: work })
  if (r.status !== 0) throw new Error(`xargs failed: ${r.stderr.toString().slice(-300)}`)
  return (performance.now() - started) / 1000
}

console.log(
  `sizes ${sizes.join(', ')}; ${runs} runs each; ${cores} cores; ${os.cpus()[0]?.model ?? 'cpu'}; job sandbox on`,
)
for (const size of sizes) {
  const width = Math.max(1, Math.floor((size - 2) / 3))
  const tasks = width * 3 + 2
  console.log(`\n${tasks} tasks (fan-out into ${width} chains of 3, fan-in)`)
  const contenders: Contender[] = [
    { name: 'xargs -P2 (floor)', run: () => xargs(tasks) },
    { name: 'continuum', run: () => continuum(width) },
    ...(withSnakemake ? [{ name: 'snakemake greedy', run: () => snakemake(width) }] : []),
  ]
  const results = await runFairly(contenders, runs)
  const floorS = results[0]?.median ?? Number.NaN
  const ours = results[1]?.median ?? Number.NaN
  for (const r of results) {
    console.log(
      `  median ${r.name.padEnd(18)} ${r.median.toFixed(2)} s  ${((r.median / tasks) * 1000).toFixed(2)} ms/task  ${(r.median / floorS).toFixed(2)}× the floor`,
    )
  }
  const snake = results[2]
  if (snake) {
    console.log(
      `  continuum vs snakemake: ${(snake.median / ours).toFixed(2)}× (above 1: continuum is faster)`,
    )
  }
}
