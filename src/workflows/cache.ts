/**
 * Task caching: a task whose command, environment, inputs (by content) and declared outputs
 * hash to those of a completed task is not run again. Tasks without declared outputs are
 * always run (their effect cannot be checked), and so are tasks whose cached outputs are gone.
 * CWL tasks are keyed by cwl-reuse.ts, across workflows of one community.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import type { TaskSpec } from './types.js'

export async function cacheKeyOf(spec: TaskSpec, workdir: string): Promise<string | null> {
  // A CWL task's key is made when its command is built (cwl-reuse.ts).
  if (spec.cwl) return spec.cache ? (spec.cwl.reuseKey ?? null) : null
  if (!spec.cache || spec.outputs.length === 0) return null
  const h = createHash('sha256')
  h.update(
    JSON.stringify({
      argv: spec.argv,
      env: spec.env,
      image: spec.image,
      environment: spec.environment,
      outputs: spec.outputs,
      workdir,
    }),
  )
  for (const input of spec.inputs) {
    h.update(`\0${input}\0`)
    const file = path.resolve(workdir, input)
    if (!existsSync(file)) return null
    for await (const block of createReadStream(file)) h.update(block as Buffer)
  }
  return h.digest('hex')
}

export function outputsExist(spec: TaskSpec, workdir: string): boolean {
  return spec.outputs.every((o) => o.startsWith('did:') || existsSync(path.resolve(workdir, o)))
}
