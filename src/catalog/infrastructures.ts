/**
 * Use cases of the catalogue's infrastructures: the e-Infrastructures (HPC centres, HTC grids,
 * clouds, data services) and the federations they belong to (`partOf`).
 */
import type {
  Infrastructure,
  InfrastructureCreate,
  InfrastructureListQuery,
  InfrastructureUpdate,
  Page,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import {
  ContinuumError,
  ReadCache,
  decodeCursor,
  encodeCursor,
  isUuid,
  newId,
} from '../platform/index.js'
import {
  deleteInfrastructureRow,
  findInfrastructureRow,
  insertInfrastructureRow,
  listAncestorIds,
  listInfrastructureRows,
  updateInfrastructureRow,
  type InfrastructureChanges,
  type NewInfrastructureRow,
  type InfrastructureRow,
} from './infrastructures-store.js'
import { assertCountry } from './validation.js'

const TABLE = 'infrastructures'

/** Reads of single infrastructures are hot (every placement, every page); keep them in memory. */
const caches = new WeakMap<object, ReadCache<Infrastructure>>()

function cacheOf(ctx: Context): ReadCache<Infrastructure> | undefined {
  if (!ctx.changes?.reliable) return undefined
  let cache = caches.get(ctx.changes)
  if (!cache) caches.set(ctx.changes, (cache = new ReadCache<Infrastructure>()))
  return cache
}

/** Runs a write and tells the change feed once it committed. */
async function writing<T>(ctx: Context, work: (tx: Executor) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(work)
  ctx.changes?.announce(TABLE)
  return result
}

/** The row a new infrastructure is stored as; `partOf` is the parent's id, already resolved. */
export function newInfrastructureRow(
  input: InfrastructureCreate,
  id: string,
  now: Date,
  partOf: string | null,
): NewInfrastructureRow {
  return {
    id,
    name: input.name,
    title: input.title,
    kind: input.kind,
    operator: input.operator,
    country: input.country,
    url: input.url ?? null,
    status: input.status ?? 'operational',
    part_of: partOf,
    description: input.description ?? '',
    source: input.source ?? null,
    created_at: now,
    updated_at: now,
  }
}

export async function addInfrastructure(
  ctx: Context,
  input: InfrastructureCreate,
): Promise<Infrastructure> {
  assertCountry(input.country)
  return writing(ctx, async (tx) => {
    const partOf = input.partOf == null ? null : await resolveReference(tx, input.partOf, 'partOf')
    const now = ctx.clock.now()
    const id = newId()
    await insertInfrastructureRow(tx, newInfrastructureRow(input, id, now, partOf))
    return toInfrastructure(await mustFind(tx, { id }, input.name))
  })
}

export async function getInfrastructure(ctx: Context, idOrName: string): Promise<Infrastructure> {
  const cache = cacheOf(ctx)
  const generation = ctx.changes?.generation(TABLE) ?? 0
  const cached = cache?.get(idOrName, generation)
  if (cached) return cached
  const infrastructure = toInfrastructure(await mustFind(ctx.db, by(idOrName), idOrName))
  cache?.set(idOrName, infrastructure, generation)
  return infrastructure
}

export async function findInfrastructure(
  ctx: Context,
  idOrName: string,
): Promise<Infrastructure | undefined> {
  const row = await findInfrastructureRow(ctx.db, by(idOrName))
  return row && toInfrastructure(row)
}

export async function listInfrastructures(
  ctx: Context,
  query: InfrastructureListQuery = {},
): Promise<Page<Infrastructure>> {
  const limit = query.limit ?? 50
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0]
  let partOfId: string | undefined
  if (query.partOf !== undefined) {
    const parent = await findInfrastructureRow(ctx.db, { name: query.partOf })
    if (!parent) return { items: [], next: null }
    partOfId = parent.id
  }
  const rows = await listInfrastructureRows(ctx.db, {
    kind: query.kind,
    country: query.country,
    status: query.status,
    partOfId,
    q: query.q,
    after,
    limit: limit + 1,
  })
  const items = rows.slice(0, limit).map(toInfrastructure)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name]) : null }
}

export async function updateInfrastructure(
  ctx: Context,
  idOrName: string,
  patch: InfrastructureUpdate,
): Promise<Infrastructure> {
  if (patch.country !== undefined) assertCountry(patch.country)
  return writing(ctx, async (tx) => {
    const current = await mustFind(tx, by(idOrName), idOrName)
    const changes: InfrastructureChanges = { updated_at: ctx.clock.now() }
    if (patch.title !== undefined) changes.title = patch.title
    if (patch.kind !== undefined) changes.kind = patch.kind
    if (patch.operator !== undefined) changes.operator = patch.operator
    if (patch.country !== undefined) changes.country = patch.country
    if (patch.url !== undefined) changes.url = patch.url
    if (patch.status !== undefined) changes.status = patch.status
    if (patch.description !== undefined) changes.description = patch.description
    if (patch.source !== undefined) changes.source = patch.source
    if (patch.partOf !== undefined) {
      changes.part_of =
        patch.partOf === null ? null : await resolveParent(tx, current, patch.partOf)
    }
    await updateInfrastructureRow(tx, current.id, changes)
    return toInfrastructure(await mustFind(tx, { id: current.id }, idOrName))
  })
}

export async function deleteInfrastructure(
  ctx: Context,
  idOrName: string,
): Promise<Infrastructure> {
  return writing(ctx, async (tx) => {
    const current = await mustFind(tx, by(idOrName), idOrName)
    await deleteInfrastructureRow(tx, current.id, current.name)
    return toInfrastructure(current)
  })
}

function by(idOrName: string): { id: string } | { name: string } {
  return isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName }
}

async function mustFind(
  db: Executor,
  key: { id: string } | { name: string },
  shown: string,
): Promise<InfrastructureRow> {
  const row = await findInfrastructureRow(db, key)
  if (!row) {
    throw new ContinuumError('INFRASTRUCTURE_NOT_FOUND', `infrastructure '${shown}' not found`, {
      infrastructure: shown,
    })
  }
  return row
}

async function resolveReference(db: Executor, name: string, field: string): Promise<string> {
  const row = await findInfrastructureRow(db, { name })
  if (!row) {
    throw new ContinuumError(
      'REFERENCE_NOT_FOUND',
      `${field}: infrastructure '${name}' not found`,
      { field, value: name },
    )
  }
  return row.id
}

async function resolveParent(
  db: Executor,
  child: InfrastructureRow,
  parentName: string,
): Promise<string> {
  const parentId = await resolveReference(db, parentName, 'partOf')
  if (parentId === child.id || (await listAncestorIds(db, parentId)).includes(child.id)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `partOf: '${parentName}' is '${child.name}' itself or one of its members; membership cannot form a cycle`,
      {
        field: 'partOf',
        value: parentName,
      },
    )
  }
  return parentId
}

function toInfrastructure(row: InfrastructureRow): Infrastructure {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    kind: row.kind as Infrastructure['kind'],
    operator: row.operator,
    country: row.country,
    url: row.url,
    status: row.status as Infrastructure['status'],
    partOf: row.part_of_name,
    description: row.description,
    source: row.source,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}
