/**
 * Use cases shared by every landscape record kind (kinds.ts): add, get, find, list, update and
 * delete, each in one transaction, with names resolved to references, name lists checked, and
 * deletes refused while other records name the record. The `…In` variants run inside a
 * transaction the caller owns (the all-or-nothing YAML import).
 */
import type { Page } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import {
  ContinuumError,
  decodeCursor,
  encodeCursor,
  isUuid,
  newId,
  type Clock,
} from '../platform/index.js'
import { kinds, nameListReferences, type FieldSpec, type KindName, type KindSpec } from './kinds.js'
import {
  deleteRow,
  findNameListUsers,
  idsByName,
  insertRow,
  selectRows,
  updateRow,
  type Row,
} from './records-store.js'
import { coveredNames, listCoveredServices, parseServiceExpression } from './allocation-scope.js'
import { assertCountry } from './validation.js'

export type WireRecord = Record<string, unknown> & {
  id: string
  name: string
  createdAt: string
  updatedAt: string
}

export interface RecordListOptions {
  limit?: number | undefined
  cursor?: string | undefined
  q?: string | undefined
  infrastructure?: string | undefined
  community?: string | undefined
}

export async function addRecord(
  ctx: Context,
  kind: KindName,
  input: Record<string, unknown>,
): Promise<WireRecord> {
  return ctx.db.transaction().execute((tx) => addRecordIn(tx, ctx.clock, kind, input))
}

export async function addRecordIn(
  tx: Executor,
  clock: Clock,
  kind: KindName,
  input: Record<string, unknown>,
): Promise<WireRecord> {
  const spec: KindSpec = kinds[kind]
  const full: Record<string, unknown> = { ...input }
  for (const fs of spec.fields) {
    if (full[fs.field] === undefined && fs.default !== undefined) {
      full[fs.field] = structuredClone(fs.default)
    }
  }
  await checkRecord(tx, spec, full)
  const now = clock.now()
  const id = newId()
  const row: Record<string, unknown> = { id, name: input.name, created_at: now, updated_at: now }
  for (const fs of spec.fields) {
    if (isHost(spec, fs)) {
      row[fs.column] = pack(spec, fs.column, full)
      continue
    }
    if (fs.packed) continue
    row[fs.column] =
      fs.type === 'ref'
        ? await refId(tx, fs.ref!, fs.field, full[fs.field] as string | null)
        : full[fs.field]
  }
  await insertRow(tx, spec, row, String(input.name))
  return toWire(spec, await mustFind(tx, spec, id))
}

export async function getRecord(
  ctx: Context,
  kind: KindName,
  idOrName: string,
): Promise<WireRecord> {
  const spec = kinds[kind]
  return toWire(spec, await mustFind(ctx.db, spec, idOrName))
}

export async function findRecord(
  ctx: Context,
  kind: KindName,
  idOrName: string,
): Promise<WireRecord | undefined> {
  const spec = kinds[kind]
  const rows = await selectRows(
    ctx.db,
    spec,
    isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName, limit: 2 },
  )
  return rows.length === 1 ? toWire(spec, rows[0]!) : undefined
}

export async function listRecords(
  ctx: Context,
  kind: KindName,
  query: RecordListOptions = {},
): Promise<Page<WireRecord>> {
  const spec: KindSpec = kinds[kind]
  const limit = query.limit ?? 50
  const after =
    query.cursor === undefined ? undefined : (decodeCursor(query.cursor, 2) as [string, string])
  const refs: Record<string, string> = {}
  for (const key of ['infrastructure', 'community'] as const) {
    const value = query[key]
    if (value === undefined) continue
    const column = spec.filters[key]
    if (!column) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `${key}: ${spec.label}s cannot be filtered by ${key}`,
        { field: key },
      )
    }
    const ids = await idsByName(
      ctx.db,
      key === 'infrastructure' ? 'infrastructures' : 'communities',
      [value],
    )
    const id = ids.get(value)
    if (!id) return { items: [], next: null }
    refs[column] = id
  }
  const rows = await selectRows(ctx.db, spec, {
    refs,
    q: query.q,
    after,
    limit: limit + 1,
  } as Parameters<typeof selectRows>[2])
  const items = rows.slice(0, limit).map((r) => toWire(spec, r))
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name, last.id]) : null }
}

/** Every record of a kind, in name order (exports and the matcher's snapshot). */
export async function listAllRecords(db: Executor, kind: KindName): Promise<WireRecord[]> {
  const spec = kinds[kind]
  return (await selectRows(db, spec, {})).map((r) => toWire(spec, r))
}

export async function updateRecord(
  ctx: Context,
  kind: KindName,
  idOrName: string,
  patch: Record<string, unknown>,
): Promise<WireRecord> {
  return ctx.db
    .transaction()
    .execute((tx) => updateRecordIn(tx, ctx.clock, kind, idOrName, () => patch))
}

/**
 * `updateRecord` inside a transaction the caller owns; the patch is computed from the current
 * record read in that transaction (a reviewed change to a profile and its review row commit together).
 */
export async function updateRecordIn(
  tx: Executor,
  clock: Clock,
  kind: KindName,
  idOrName: string,
  patchOf: (current: WireRecord) => Record<string, unknown>,
): Promise<WireRecord> {
  const spec: KindSpec = kinds[kind]
  const current = toWire(spec, await mustFind(tx, spec, idOrName))
  const patch = patchOf(current)
  const merged = { ...current, ...patch }
  await checkRecord(tx, spec, merged)
  const changes: Record<string, unknown> = { updated_at: clock.now() }
  for (const fs of spec.fields) {
    if (fs.packed) continue
    if (isHost(spec, fs)) {
      const touched = spec.fields.some(
        (x) => x.column === fs.column && patch[x.field] !== undefined,
      )
      if (touched) changes[fs.column] = pack(spec, fs.column, merged)
      continue
    }
    if (patch[fs.field] === undefined) continue
    changes[fs.column] =
      fs.type === 'ref'
        ? await refId(tx, fs.ref!, fs.field, patch[fs.field] as string | null)
        : patch[fs.field]
  }
  await updateRow(tx, spec, current.id, changes)
  return toWire(spec, await mustFind(tx, spec, current.id))
}

export async function deleteRecord(
  ctx: Context,
  kind: KindName,
  idOrName: string,
): Promise<WireRecord> {
  const spec: KindSpec = kinds[kind]
  return ctx.db.transaction().execute(async (tx) => {
    const current = toWire(spec, await mustFind(tx, spec, idOrName))
    await assertNotNamed(tx, spec.table, current.name)
    await deleteRow(tx, spec, current.id, current.name)
    return current
  })
}

/** Refuses to delete a record that other records name inside jsonb lists (no FK can say so). */
export async function assertNotNamed(db: Executor, table: string, name: string): Promise<void> {
  const refs = [
    ...nameListReferences,
    { from: 'allocation' as const, column: 'service', jsonPath: null, table: 'compute_services' },
    { from: 'allocation' as const, column: 'service', jsonPath: null, table: 'storage_services' },
  ]
  for (const r of refs) {
    if (r.table !== table) continue
    const users = await findNameListUsers(db, kinds[r.from].table, r.column, r.jsonPath, name)
    if (users.length > 0) {
      throw new ContinuumError(
        'RECORD_IN_USE',
        `'${name}' is named by ${kinds[r.from].label} ${users.map((u) => `'${u}'`).join(', ')}`,
        { name, usedBy: { kind: r.from, names: users } },
      )
    }
  }
}

async function mustFind(db: Executor, spec: KindSpec, idOrName: string): Promise<Row> {
  const rows = await selectRows(
    db,
    spec,
    isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName, limit: 2 },
  )
  if (rows.length === 0) {
    throw new ContinuumError(spec.notFound, `${spec.label} '${idOrName}' not found`, {
      [spec.kind]: idOrName,
    })
  }
  if (rows.length > 1) {
    throw new ContinuumError(
      'AMBIGUOUS_NAME',
      `${spec.label} name '${idOrName}' is used in several communities; give its id`,
      { name: idOrName },
    )
  }
  return rows[0]!
}

async function refId(
  db: Executor,
  table: string,
  field: string,
  name: string | null,
): Promise<string | null> {
  if (name === null) return null
  const id = (await idsByName(db, table, [name])).get(name)
  if (!id) {
    throw new ContinuumError(
      'REFERENCE_NOT_FOUND',
      `${field}: ${table.replace(/_/g, ' ').replace(/ies$/, 'y').replace(/s$/, '')} '${name}' not found`,
      { field, value: name },
    )
  }
  return id
}

/** Checks the schema cannot express: countries, name lists, consistency between fields. */
async function checkRecord(
  db: Executor,
  spec: KindSpec,
  r: Record<string, unknown>,
): Promise<void> {
  if (typeof r.country === 'string') assertCountry(r.country)
  for (const check of spec.nameChecks?.(r) ?? []) {
    const known = new Set<string>()
    for (const table of check.tables) {
      for (const name of (await idsByName(db, table, check.names)).keys()) known.add(name)
    }
    const missing = check.names.filter((n) => !known.has(n))
    if (missing.length > 0) {
      throw new ContinuumError(
        'REFERENCE_NOT_FOUND',
        `${check.path}: ${missing.map((m) => `'${m}'`).join(', ')} not found`,
        { field: check.path, value: missing },
      )
    }
  }
  if (spec.kind === 'useCase' && r.status === 'reviewed' && (!r.reviewer || !r.reviewedAt)) {
    // "Reviewed" means something only if it says by whom and when.
    throw new ContinuumError(
      'USE_CASE_REVIEW_INCOMPLETE',
      `status: a reviewed use case names its reviewer and review date (missing: ${[
        r.reviewer ? '' : 'reviewer',
        r.reviewedAt ? '' : 'reviewedAt',
      ]
        .filter(Boolean)
        .join(', ')})`,
      {
        field: 'status',
        missing: [r.reviewer ? null : 'reviewer', r.reviewedAt ? null : 'reviewedAt'].filter(
          Boolean,
        ),
      },
    )
  }
  if (spec.kind === 'networkLink' && r.from === r.to) {
    throw invalid('to', 'a network link joins two different sites')
  }
  if (
    spec.kind === 'allocation' &&
    typeof r.periodStart === 'string' &&
    typeof r.periodEnd === 'string' &&
    r.periodEnd < r.periodStart
  ) {
    throw invalid('periodEnd', `period ends (${r.periodEnd}) before it starts (${r.periodStart})`)
  }
  if (spec.kind === 'allocation') await checkAllocationScope(db, r)
  if (typeof r.site === 'string' && typeof r.infrastructure === 'string') {
    const site = (await selectRows(db, kinds.site, { name: r.site }))[0]
    if (site && site.infrastructure_id__name !== r.infrastructure) {
      throw invalid(
        'site',
        `site '${r.site}' belongs to infrastructure '${String(site.infrastructure_id__name)}', not '${r.infrastructure}'`,
      )
    }
  }
}

/** An allocation names its services by `service` or by an expression that selects some. */
async function checkAllocationScope(db: Executor, r: Record<string, unknown>): Promise<void> {
  const hasService = typeof r.service === 'string'
  const hasExpression = typeof r.services === 'string'
  if (!hasService && !hasExpression) {
    throw invalid('services', 'give the services the allocation may be used on (or one service)')
  }
  if (hasService && hasExpression) {
    throw invalid('services', 'give either service or services, not both')
  }
  if (!hasExpression) return
  const expression = r.services as string
  parseServiceExpression(expression)
  if (coveredNames(expression, await listCoveredServices(db, listAllRecords)).length === 0) {
    throw invalid('services', `'${expression}' selects no compute or storage service`)
  }
}

function invalid(field: string, message: string): ContinuumError {
  return new ContinuumError('VALIDATION_FAILED', `${field}: ${message}`, { field })
}

/** A json field whose column also holds packed fields. */
function isHost(spec: KindSpec, fs: FieldSpec): boolean {
  return !fs.packed && spec.fields.some((x) => x.packed && x.column === fs.column)
}

/** The host column's value: the host field's object plus `_<field>` for each packed field. */
function pack(spec: KindSpec, column: string, r: Record<string, unknown>): Record<string, unknown> {
  const host = spec.fields.find((x) => !x.packed && x.column === column)!
  const out: Record<string, unknown> = { ...((r[host.field] as object | undefined) ?? {}) }
  for (const fs of spec.fields) {
    if (fs.packed && fs.column === column && r[fs.field] != null) out[`_${fs.field}`] = r[fs.field]
  }
  return out
}

export function toWire(spec: KindSpec, row: Row): WireRecord {
  const out: Record<string, unknown> = { id: row.id, name: row.name }
  for (const fs of spec.fields) {
    if (fs.packed) {
      const host = (row[fs.column] ?? {}) as Record<string, unknown>
      out[fs.field] = host[`_${fs.field}`] ?? null
      continue
    }
    if (isHost(spec, fs)) {
      const host = { ...((row[fs.column] ?? {}) as Record<string, unknown>) }
      for (const k of Object.keys(host)) if (k.startsWith('_')) delete host[k]
      out[fs.field] = host
      continue
    }
    out[fs.field] =
      fs.type === 'ref'
        ? (row[`${fs.column}__name`] ?? null)
        : fs.type === 'num' && row[fs.column] !== null
          ? Number(row[fs.column])
          : row[fs.column]
  }
  out.createdAt = new Date(row.created_at).toISOString()
  out.updatedAt = new Date(row.updated_at).toISOString()
  return out as WireRecord
}
