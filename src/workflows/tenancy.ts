/**
 * Which community a workflow belongs to and which federation scopes it reads and writes, so
 * that the caller's policies can be asked before anything is read or stored.
 */
import type { WorkflowDocument } from '../contract/index.js'
import { knownCommunities, parseDid } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, isUuid } from '../platform/index.js'
import { findWorkflowRow } from './workflows-store.js'

/**
 * The community a workflow runs for: the one its YAML declares, else the caller's only
 * community that the catalogue knows. A caller of several must declare one; one of none (an
 * admin, a system actor) runs a workflow of no community (the installation's own).
 */
export async function workflowCommunityFor(
  ctx: Context,
  declared: string | null,
): Promise<string | null> {
  if (declared !== null) return declared
  const known = await knownCommunities(ctx, ctx.actor)
  if (known.length === 1) return known[0] ?? null
  if (known.length > 1) {
    throw new ContinuumError(
      'WORKFLOW_INVALID',
      `community: you are a member of ${known.join(', ')}; declare which one this workflow runs for`,
      { field: 'community' },
    )
  }
  return null
}

/** Scopes of the datasets a document scatters over (read when it is submitted). */
export function scatteredScopes(doc: WorkflowDocument): string[] {
  const scopes = new Set<string>()
  for (const t of doc.tasks) {
    const dataset = (t.scatter as { dataset?: string } | undefined)?.dataset
    const scope = dataset === undefined ? undefined : scopeOf(dataset)
    if (scope !== undefined) scopes.add(scope)
  }
  return [...scopes]
}

/** Scopes a workflow's tasks read (`did:` inputs) and write (`did:` outputs, the output scope). */
export function federationScopes(
  tasks: ReadonlyArray<{ inputs: readonly string[]; outputs: readonly string[] }>,
  outputScope: string | null,
): { reads: string[]; writes: string[] } {
  const reads = new Set<string>()
  const writes = new Set<string>(outputScope === null ? [] : [outputScope])
  for (const t of tasks) {
    for (const i of t.inputs) if (i.startsWith('did:')) add(reads, i)
    for (const o of t.outputs) if (o.startsWith('did:')) add(writes, o)
  }
  return { reads: [...reads], writes: [...writes] }
}

function add(set: Set<string>, did: string): void {
  const scope = scopeOf(did)
  if (scope !== undefined) set.add(scope)
}

function scopeOf(did: string): string | undefined {
  try {
    return parseDid(did.replace(/^did:/, '')).scope
  } catch {
    return undefined
  }
}

/** Who a workflow belongs to, for the gate: its community (`''`: none) and its submitter. */
export async function workflowTenancy(
  ctx: Context,
  id: string,
): Promise<{ community: string; owner: string | null } | undefined> {
  if (!isUuid(id)) return undefined
  const row = await findWorkflowRow(ctx.db, id)
  return row && { community: row.community ?? '', owner: row.owner }
}
