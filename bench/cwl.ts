/**
 * CWL against the reference runner (issue 19, part 6): the same two workflows — a 1,000-element
 * scatter of a trivial tool, and a chain of 100 steps each passing a File on — run by
 * `continuum cwl-runner` (embedded) and by Debian's `cwltool`, with `xargs -P2` running the
 * same 1,000 commands as the floor. Wall time of the whole command; each side runs `--runs`
 * times (default 3) in alternating order with the load printed before each run, medians compared.
 *   node --import tsx bench/cwl.ts [--scatter 1000] [--chain 100] [--runs 3]
 * cwltool is looked for on PATH; without it its rows say so.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runFairly, type Contender } from './support/fair.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const scatterN = arg('scatter', 1000)
const chainN = arg('chain', 100)
const runs = arg('runs', 3)

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cwl-'))
const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text)

write(
  'echo.cwl',
  `cwlVersion: v1.2
class: CommandLineTool
baseCommand: echo
inputs:
  n: {type: int, inputBinding: {position: 1}}
stdout: out.txt
outputs:
  out: stdout
`,
)
write(
  'scatter.cwl',
  `cwlVersion: v1.2
class: Workflow
requirements:
  ScatterFeatureRequirement: {}
inputs:
  ns: int[]
outputs:
  outs: {type: 'File[]', outputSource: step/out}
steps:
  step:
    run: echo.cwl
    scatter: n
    in: {n: ns}
    out: [out]
`,
)
write('scatter.json', JSON.stringify({ ns: Array.from({ length: scatterN }, (_, i) => i) }))
write(
  'append.cwl',
  `cwlVersion: v1.2
class: CommandLineTool
baseCommand: cat
inputs:
  f: {type: File, inputBinding: {position: 1}}
stdout: out.txt
outputs:
  out: stdout
`,
)
const steps = Array.from({ length: chainN }, (_, i) =>
  [
    `  s${i}:`,
    '    run: append.cwl',
    `    in: {f: ${i === 0 ? 'start' : `s${i - 1}/out`}}`,
    '    out: [out]',
  ].join('\n'),
).join('\n')
write(
  'chain.cwl',
  `cwlVersion: v1.2
class: Workflow
inputs:
  start: File
outputs:
  last: {type: File, outputSource: s${chainN - 1}/out}
steps:
${steps}
`,
)
write('start.txt', 'hello\n')
write('chain.json', JSON.stringify({ start: { class: 'File', location: 'start.txt' } }))

const continuum = path.resolve('bin/continuum.js')
const hasCwltool = spawnSync('cwltool', ['--version'], { stdio: 'ignore' }).status === 0

/** One run of a command in a fresh output folder; answers its wall time in seconds. */
function once(argv: string[], options: { shell?: boolean } = {}): number {
  const out = mkdtempSync(path.join(dir, 'out-'))
  const t0 = performance.now()
  const cmd = argv.map((a) => a.replace('OUTDIR', out))
  if (options.shell) execFileSync('/bin/sh', ['-c', cmd.join(' ')], { stdio: 'ignore' })
  else execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore', cwd: dir })
  const seconds = (performance.now() - t0) / 1000
  rmSync(out, { recursive: true, force: true })
  return seconds
}

const results: Array<{ workflow: string; runner: string; median: number | null }> = []
for (const [name, doc, job] of [
  [`scatter of ${scatterN}`, 'scatter.cwl', 'scatter.json'],
  [`chain of ${chainN}`, 'chain.cwl', 'chain.json'],
] as const) {
  const contenders: Contender[] = [
    {
      name: 'continuum cwl-runner',
      run: () => once([process.execPath, continuum, 'cwl-runner', '--outdir', 'OUTDIR', doc, job]),
    },
  ]
  if (hasCwltool) {
    contenders.push({
      name: 'cwltool',
      run: () => once(['cwltool', '--quiet', '--outdir', 'OUTDIR', doc, job]),
    })
  }
  if (doc === 'scatter.cwl') {
    contenders.push({
      name: 'xargs -P2 (floor)',
      run: () =>
        once(
          [
            `cd OUTDIR && seq 0 ${scatterN - 1} | xargs -P2 -I{} sh -c 'mkdir {} && echo {} > {}/out.txt'`,
          ],
          { shell: true },
        ),
    })
  }
  console.log(`${name}:`)
  for (const r of await runFairly(contenders, runs)) {
    results.push({ workflow: name, runner: r.name, median: r.median })
  }
  if (!hasCwltool) results.push({ workflow: name, runner: 'cwltool', median: null })
}

console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, medians of ${runs}`)
console.log('| workflow | runner | wall s (median) | ratio to continuum |')
console.log('| --- | --- | ---: | ---: |')
for (const r of results) {
  const ours = results.find((x) => x.workflow === r.workflow && x.runner === 'continuum cwl-runner')
  const ratio = r.median === null || !ours?.median ? '' : `${(r.median / ours.median).toFixed(2)}×`
  console.log(
    `| ${r.workflow} | ${r.runner} | ${r.median === null ? 'not installed' : r.median.toFixed(2)} | ${ratio} |`,
  )
}
rmSync(dir, { recursive: true, force: true })
