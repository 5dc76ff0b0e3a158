/**
 * A finished CWL workflow's output object (GET /workflows/{id}/cwl-output): its steps' outputs
 * gathered as the document's `outputs` say (cwl-tasks.ts), with each file's path made relative
 * to the workflow's folder — the server's own paths are not the caller's business, and those
 * relative paths are what GET /workflows/{id}/file reads.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { CwlOutput } from '../contract/index.js'
import { CwlError } from '../cwl/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { cwlRecords } from './cwl-plan.js'
import { withRegistered } from './cwl-register.js'
import { cwlWorkflowOutput } from './cwl-tasks.js'
import { mustFindWorkflow } from './workflows.js'

export async function getCwlOutput(ctx: Context, id: string): Promise<CwlOutput> {
  const row = await mustFindWorkflow(ctx.db, id)
  if (!existsSync(cwlRecords.plan(row.workdir))) {
    throw new ContinuumError('REFERENCE_NOT_FOUND', `workflow ${row.id} is not a CWL workflow`, {
      workflow: row.id,
    })
  }
  if (row.state !== 'succeeded') {
    throw new ContinuumError(
      'WORKFLOW_STATE_CONFLICT',
      `workflow ${row.id} is ${row.state}: its CWL output exists once it has succeeded`,
      { workflow: row.id, state: row.state },
    )
  }
  try {
    const output = await cwlWorkflowOutput(row.workdir)
    const rel = relative(output, row.workdir)
    return {
      workflowId: row.id,
      output: withRegistered(rel, row.workdir) as Record<string, unknown>,
    }
  } catch (err) {
    if (!(err instanceof CwlError)) throw err
    throw new ContinuumError('WORKFLOW_STATE_CONFLICT', `workflow ${row.id}: ${err.message}`, {
      workflow: row.id,
    })
  }
}

function relative(value: unknown, workdir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => relative(v, workdir))
  if (value === null || typeof value !== 'object') return value
  const o = { ...(value as Record<string, unknown>) }
  if ((o.class === 'File' || o.class === 'Directory') && typeof o.path === 'string') {
    const rel = path.relative(workdir, o.path)
    o.path = rel
    // A file from the federation keeps its identifier.
    if (typeof o.location !== 'string' || !o.location.startsWith('did:')) o.location = rel
    delete o.dirname
  }
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'path' && k !== 'location') o[k] = relative(v, workdir)
  }
  return o
}
