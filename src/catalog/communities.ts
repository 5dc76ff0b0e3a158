/**
 * Use cases of the catalogue's communities: the research communities (ATLAS, CMS, LOFAR, SKA …)
 * that own use cases, data scopes, allocations and policies.
 */
import type { Community, CommunityCreate, CommunityListQuery, CommunityUpdate, Page } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, decodeCursor, encodeCursor, isUuid, newId } from '../platform/index.js'
import { deleteCommunityRow, findCommunityRow, insertCommunityRow, listCommunityRows, updateCommunityRow, type CommunityRow } from './communities-store.js'

export async function addCommunity(ctx: Context, input: CommunityCreate): Promise<Community> {
  const now = ctx.clock.now()
  const row: CommunityRow = {
    id: newId(),
    name: input.name,
    title: input.title,
    field: input.field ?? null,
    description: input.description ?? '',
    homepage: input.homepage ?? null,
    created_at: now,
    updated_at: now,
  }
  await insertCommunityRow(ctx.db, row)
  return toCommunity(row)
}

export async function getCommunity(ctx: Context, idOrName: string): Promise<Community> {
  return toCommunity(await mustFind(ctx.db, idOrName))
}

export async function listCommunities(ctx: Context, query: CommunityListQuery = {}): Promise<Page<Community>> {
  const limit = query.limit ?? 50
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0]
  const rows = await listCommunityRows(ctx.db, { q: query.q, field: query.field, after, limit: limit + 1 })
  const items = rows.slice(0, limit).map(toCommunity)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name]) : null }
}

export async function updateCommunity(ctx: Context, idOrName: string, patch: CommunityUpdate): Promise<Community> {
  return ctx.db.transaction().execute(async (tx) => {
    const current = await mustFind(tx, idOrName)
    const changes: Parameters<typeof updateCommunityRow>[2] = { updated_at: ctx.clock.now() }
    if (patch.title !== undefined) changes.title = patch.title
    if (patch.field !== undefined) changes.field = patch.field
    if (patch.description !== undefined) changes.description = patch.description
    if (patch.homepage !== undefined) changes.homepage = patch.homepage
    await updateCommunityRow(tx, current.id, changes)
    return toCommunity(await mustFind(tx, current.id))
  })
}

export async function deleteCommunity(ctx: Context, idOrName: string): Promise<Community> {
  return ctx.db.transaction().execute(async (tx) => {
    const current = await mustFind(tx, idOrName)
    await deleteCommunityRow(tx, current.id)
    return toCommunity(current)
  })
}

async function mustFind(db: Executor, idOrName: string): Promise<CommunityRow> {
  const row = await findCommunityRow(db, isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName })
  if (!row) throw new ContinuumError('COMMUNITY_NOT_FOUND', `community '${idOrName}' not found`, { community: idOrName })
  return row
}

function toCommunity(row: CommunityRow): Community {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    field: row.field,
    description: row.description,
    homepage: row.homepage,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
