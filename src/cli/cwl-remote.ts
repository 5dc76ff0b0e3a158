/**
 * `continuum cwl-runner --server URL` (or `--remote`, the CLI's configured server): the CWL
 * runner protocol through a server instead of embedded. The document and its input object are
 * sent as a bundle (cwl-bundle.ts), the workflow followed until it ends, and then — as
 * embedded — the output object printed as JSON on stdout with its files written into
 * `--outdir`. Exit codes as the protocol asks: 0 succeeded, 33 a requirement the engine does
 * not run (CWL_UNSUPPORTED), 2 an invalid document or input object, 1 a failed run or any
 * other refusal (policy, server unreachable).
 */
import path from 'node:path'
import type { ContinuumClient } from '../client/index.js'
import { cwlBundle, fetchCwlOutput } from './cwl-bundle.js'

const finalStates = new Set(['succeeded', 'failed', 'cancelled'])
const pollMs = 250

const invalidCodes = new Set([
  'WORKFLOW_INVALID',
  'VALIDATION_FAILED',
  'INVALID_ARGUMENT',
  'DID_INVALID',
  'DID_NOT_FOUND',
])

/** The protocol's exit code for an error the client or the server raised. */
export function cwlExitFor(err: unknown): number {
  const code = (err as { code?: unknown }).code
  if (code === 'CWL_UNSUPPORTED') return 33
  if (typeof code === 'string' && invalidCodes.has(code)) return 2
  return 1
}

/** Runs the document on the server; returns the exit code (stdout: the output object only). */
export async function runCwlOnServer(
  client: ContinuumClient,
  tool: string,
  job: string | undefined,
  opts: { outdir: string; quiet?: boolean },
): Promise<number> {
  const say = (text: string) => {
    if (!opts.quiet) process.stderr.write(`cwl-runner: ${text}\n`)
  }
  try {
    const bundle = cwlBundle(tool, job)
    const w = await client.workflows.submit({
      source: bundle.source,
      filename: bundle.filename,
      files: bundle.files,
      cwlJob: bundle.job,
    })
    say(`workflow ${w.id}: ${w.taskCount} tasks`)
    let state = w.state
    while (!finalStates.has(state)) {
      await new Promise((resolve) => setTimeout(resolve, pollMs))
      state = (await client.workflows.get(w.id)).state
    }
    if (state !== 'succeeded') {
      const failed = (await client.workflows.tasks(w.id)).items.filter((t) => t.state === 'failed')
      for (const t of failed) process.stderr.write(`cwl-runner: ${t.name}: ${t.reason ?? ''}\n`)
      process.stderr.write(`cwl-runner: workflow ${w.id} ${state}\n`)
      return 1
    }
    const output = await fetchCwlOutput(client, w.id, path.resolve(opts.outdir))
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
    return 0
  } catch (err) {
    process.stderr.write(`cwl-runner: ${(err as Error).message}\n`)
    return cwlExitFor(err)
  }
}
