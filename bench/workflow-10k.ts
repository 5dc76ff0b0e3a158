/**
 * 10,000 trivial tasks — a fan-out into chains of three and a fan-in — on the local executor
 * (embedded PGlite, one in-process engine, 2 cores), side by side with Snakemake 7
 * (`--scheduler greedy --cores 2`, the equivalent Snakefile) and a bare loop that forks the same
 * processes two at a time (the physical limit).
 *   node --import tsx bench/workflow-10k.ts [tasks=10000] [--no-snakemake]
 */
import { spawn, spawnSync } from 'node:child_process'
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

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10000)
const withSnakemake = !process.argv.includes('--no-snakemake')
const width = Math.floor((total - 2) / 3)
const tasks = width * 3 + 2
const cores = 2

function dir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `continuum-bench-${label}-`))
}

async function continuum(): Promise<number> {
  const work = dir('continuum')
  const database = await connect('memory:')
  await migrate(database)
  const ctx = { db: database.db, clock: systemClock, actor: systemActor('bench') }
  await putComputeSite(ctx, {
    name: 'local',
    executor: 'local',
    config: { root: path.join(work, 'runs'), maxInFlight: 256 },
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
  const runner = runAgents(
    [new WorkflowEngine(ctx, { workerId: 'bench', batch: 500, idleMs: 5 })],
    silentLogger,
  )
  let state = wf.state as string
  while (!['succeeded', 'failed', 'cancelled'].includes(state)) {
    await new Promise((r) => setTimeout(r, 100))
    state = (await getWorkflow(ctx, wf.id)).state
  }
  const seconds = (performance.now() - started) / 1000
  await runner.stop()
  await database.close()
  if (state !== 'succeeded') throw new Error(`workflow ${state}`)
  return seconds
}

function snakemake(): number {
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

async function forkLoop(): Promise<number> {
  const work = dir('fork')
  mkdirSync(work, { recursive: true })
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < tasks) {
      const i = next++
      await new Promise<void>((resolve, reject) => {
        const child = spawn('touch', [`f${i}`], { cwd: work, stdio: 'ignore' })
        child.on('exit', () => resolve())
        child.on('error', reject)
      })
    }
  }
  await Promise.all(Array.from({ length: cores }, worker))
  return (performance.now() - started) / 1000
}

console.log(
  `${tasks} tasks (fan-out into ${width} chains of 3, fan-in), ${cores} cores, ${os.cpus()[0]?.model ?? 'cpu'}`,
)
const fork = await forkLoop()
console.log(
  `bare fork loop:   ${fork.toFixed(1)} s  (${((fork / tasks) * 1000).toFixed(2)} ms/task)`,
)
const ours = await continuum()
console.log(
  `continuum:        ${ours.toFixed(1)} s  (${((ours / tasks) * 1000).toFixed(2)} ms/task)  ${(ours / fork).toFixed(2)}× the fork loop`,
)
if (withSnakemake) {
  const snake = snakemake()
  console.log(
    `snakemake greedy: ${snake.toFixed(1)} s  (${((snake / tasks) * 1000).toFixed(2)} ms/task)  continuum is ${(snake / ours).toFixed(1)}× faster`,
  )
}
