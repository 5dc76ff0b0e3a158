/**
 * Exports the whole catalogue as one catalogue file (YAML): every kind in import order, records
 * in name order, every field written (ids and timestamps left out). Importing the export into
 * an empty catalogue and exporting again gives the same bytes.
 */
import { stringify } from 'yaml'
import { catalogFileKeys, type CatalogFile } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { fileKeyKinds } from './catalog-import.js'
import { listCommunities } from './communities.js'
import { listInfrastructures } from './infrastructures.js'
import { listAllRecords } from './records.js'

const strip = ({ id: _id, createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest

export async function exportCatalog(ctx: Context): Promise<CatalogFile> {
  const out: Record<string, unknown> = { version: 1 }
  for (const key of catalogFileKeys) {
    let items: Array<Record<string, unknown>>
    if (key === 'infrastructures') {
      items = await all((cursor) =>
        listInfrastructures(ctx, { limit: 500, ...(cursor ? { cursor } : {}) }),
      )
    } else if (key === 'communities') {
      items = await all((cursor) =>
        listCommunities(ctx, { limit: 500, ...(cursor ? { cursor } : {}) }),
      )
    } else items = await listAllRecords(ctx.db, fileKeyKinds[key]!)
    if (items.length > 0) out[key] = items.map(strip)
  }
  return out
}

export async function exportCatalogYaml(ctx: Context): Promise<string> {
  return stringify(await exportCatalog(ctx), { lineWidth: 0, aliasDuplicateObjects: false })
}

async function all<T>(
  page: (cursor?: string) => Promise<{ items: T[]; next: string | null }>,
): Promise<T[]> {
  const out: T[] = []
  let cursor: string | undefined
  do {
    const p = await page(cursor)
    out.push(...p.items)
    cursor = p.next ?? undefined
  } while (cursor)
  return out
}
