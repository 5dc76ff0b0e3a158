/**
 * `continuum workflow run x.cwl job.yml`: a CWL document and its input object sent as a bundle
 * (cwl-bundle.ts), followed like any workflow, its output object printed and its files fetched.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ContinuumClient } from '../../client/index.js'
import type { Workflow } from '../../contract/index.js'
import { cwlBundle, fetchCwlOutput } from '../cwl-bundle.js'
import { printResult, type Output } from '../output.js'

/** How `workflow run` follows a workflow (shared with YAML workflows). */
export interface Following {
  watch: (out: Output, c: ContinuumClient, id: string) => Promise<Workflow>
  summary: (w: Workflow) => string
  exitFor: (w: Workflow) => void
}

export interface RunOptions {
  param?: string[]
  watch?: boolean
  cache: boolean
  dryRun?: boolean
  outdir: string
  registerOutputs?: string
  rule?: string
  copies?: number
}

export function isCwlFile(file: string): boolean {
  if (file.replace(/#.*$/, '').endsWith('.cwl')) return true
  try {
    return /^cwlVersion\s*:|"cwlVersion"\s*:/m.test(readFileSync(file, 'utf8').slice(0, 65536))
  } catch {
    return false
  }
}

/** A CWL document and its input object: the bundle sent, followed, its output object printed. */
export async function runCwl(
  out: Output,
  c: ContinuumClient,
  file: string,
  job: string | undefined,
  opts: RunOptions,
  follow: Following,
): Promise<void> {
  const { watch, summary, exitFor } = follow
  const bundle = cwlBundle(file, job)
  const w = await c.workflows.submit({
    source: bundle.source,
    filename: bundle.filename,
    files: bundle.files,
    cwlJob: bundle.job,
    ...(opts.registerOutputs === undefined
      ? {}
      : {
          cwlRegisterOutputs: {
            scope: opts.registerOutputs,
            ...(opts.rule === undefined ? {} : { rule: opts.rule }),
            ...(opts.copies === undefined ? {} : { copies: opts.copies }),
          },
        }),
    noCache: !opts.cache,
    dryRun: opts.dryRun === true,
  })
  if (opts.dryRun) {
    return printResult(out, w, (x) => `CWL ${x.name} is valid: ${x.taskCount} tasks`)
  }
  if (!opts.watch) {
    return printResult(
      out,
      w,
      (x) => `submitted ${summary(x)}\nfollow it with: continuum workflow status ${x.id} --watch`,
    )
  }
  if (!out.json) out.write(`submitted workflow ${w.id} (${w.name}), ${w.taskCount} tasks`)
  const end = await watch(out, c, w.id)
  if (end.state !== 'succeeded') {
    printResult(out, end, summary)
    return exitFor(end)
  }
  const output = await fetchCwlOutput(c, w.id, path.resolve(opts.outdir))
  printResult(out, { workflow: end, output }, (x) =>
    [summary(x.workflow), JSON.stringify(x.output, null, 2)].join('\n'),
  )
}
