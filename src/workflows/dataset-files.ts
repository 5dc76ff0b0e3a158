/**
 * The files of the datasets a workflow scatters over (`scatter: { dataset: scope:name }`),
 * read from the federation's namespace when the workflow is submitted, page by page, and
 * never more than the task limit allows (so an unbounded dataset is refused, not loaded).
 */
import { listContent, parseDid } from '../data/index.js'
import type { WorkflowDocument } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import type { DatasetLister } from './expand.js'

const page = 1000

/** Resolves every dataset the document scatters over; the lister answers undefined for unknown ones. */
export async function datasetLister(
  ctx: Context,
  doc: WorkflowDocument,
  max: number,
): Promise<DatasetLister | undefined> {
  const names = new Set<string>()
  for (const t of doc.tasks) {
    const d = (t.scatter as { dataset?: string } | undefined)?.dataset
    if (d !== undefined) names.add(d)
  }
  if (names.size === 0) return undefined
  const files = new Map<string, string[] | undefined>()
  for (const name of names) files.set(name, await datasetFiles(ctx, name, max))
  return (did) => files.get(did)
}

/** `did:scope:name` of each file directly in the dataset, at most `max + 1`; undefined if unknown. */
export async function datasetFiles(
  ctx: Context,
  dataset: string,
  max: number,
): Promise<string[] | undefined> {
  let ref
  try {
    ref = parseDid(dataset.replace(/^did:/, ''))
  } catch {
    return undefined
  }
  const out: string[] = []
  let cursor: string | undefined
  try {
    do {
      const result = await listContent(ctx, ref, {
        limit: page,
        ...(cursor === undefined ? {} : { cursor }),
      })
      for (const d of result.items) {
        if (d.type === 'file') out.push(`did:${d.scope}:${d.name}`)
      }
      cursor = result.next ?? undefined
    } while (cursor !== undefined && out.length <= max)
  } catch (err) {
    if (err instanceof ContinuumError && err.code === 'DID_NOT_FOUND') return undefined
    throw err
  }
  return out
}
