/**
 * Imports catalogue files all-or-nothing: every file is parsed and schema-checked first, then
 * every record is written in one transaction in dependency order; any error — in any file —
 * rolls everything back and is reported as `file:line:col json.path: message`.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  catalogFileKeys,
  type CatalogFileKey,
  type CommunityCreate,
  type ImportError,
  type ImportResult,
  type InfrastructureCreate,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { sqlStateOf } from '../db/index.js'
import { ContinuumError, newId, type Clock } from '../platform/index.js'
import { findDuplicates, locate, located, type LocatedRecord } from './catalog-file-parse.js'
import { parseCatalogFileOffThread } from './catalog-parse-thread.js'
import { insertCommunityRow } from './communities-store.js'
import {
  findInfrastructureRow,
  insertInfrastructureRow,
  updateInfrastructureRow,
} from './infrastructures-store.js'
import type { KindName } from './kinds.js'
import { kinds } from './kinds.js'
import { addRecordIn } from './records.js'
import { idsByName } from './records-store.js'
import { newInfrastructureRow } from './infrastructures.js'
import { assertCountry } from './validation.js'

export const fileKeyKinds: Partial<Record<CatalogFileKey, KindName>> = {
  sites: 'site',
  computeServices: 'computeService',
  storageServices: 'storageService',
  softwareEnvironments: 'softwareEnvironment',
  networkLinks: 'networkLink',
  accessPolicies: 'accessPolicy',
  workingGroups: 'workingGroup',
  members: 'communityMember',
  allocations: 'allocation',
  useCases: 'useCase',
  documents: 'document',
}

const tableOf = (key: CatalogFileKey): string =>
  key === 'infrastructures'
    ? 'infrastructures'
    : key === 'communities'
      ? 'communities'
      : kinds[fileKeyKinds[key]!].table
const maxErrors = 100

class DryRunDone extends Error {}

export interface ImportInput {
  files: Array<{ path: string; content: string }>
  dryRun?: boolean | undefined
}

/** Parses files without touching the database (the offline part of `catalog validate`). */
export async function readCatalogFiles(files: ImportInput['files']): Promise<{
  records: LocatedRecord[]
  errors: ImportError[]
}> {
  const records: LocatedRecord[] = []
  const errors: ImportError[] = []
  for (const f of files) {
    // One file's parse at a time, so other requests are served between files; a large one is
    // parsed on the parse thread.
    await nextTurn()
    const parsed = await parseCatalogFileOffThread(f.path, f.content)
    records.push(...parsed.records)
    errors.push(...parsed.errors)
  }
  errors.push(...findDuplicates(records))
  // Dependency order across files: every kind's references are written before it (stable sort).
  const order = new Map(catalogFileKeys.map((k, i) => [k, i]))
  records.sort((a, b) => order.get(a.key)! - order.get(b.key)!)
  return { records, errors }
}

export async function importCatalog(ctx: Context, input: ImportInput): Promise<ImportResult> {
  const { records, errors } = await readCatalogFiles(input.files)
  if (errors.length > 0) throw invalid(errors)
  return importRecords(ctx, records, input.dryRun === true)
}

/** Writes parsed records in one transaction; `dryRun` rolls back after a complete check. */
export async function importRecords(
  ctx: Context,
  records: LocatedRecord[],
  dryRun: boolean,
): Promise<ImportResult> {
  const counts: Record<string, number> = {}
  try {
    await ctx.db.transaction().execute(async (tx) => {
      const errors = await writeAll(tx, ctx.clock, records, counts)
      if (errors.length > 0) throw invalid(errors)
      if (dryRun) throw new DryRunDone()
    })
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err
  }
  return { dryRun, counts, unmapped: [], warnings: [] }
}

async function writeAll(
  tx: Executor,
  clock: Clock,
  records: LocatedRecord[],
  counts: Record<string, number>,
): Promise<ImportError[]> {
  const errors: ImportError[] = []
  // Names that exist already are reported up front: a unique violation would abort the transaction.
  for (const key of new Set(records.map((r) => r.key))) {
    if (key === 'members') continue
    const mine = records.filter((r) => r.key === key)
    const existing = await idsByName(
      tx,
      tableOf(key),
      mine.map((r) => String(r.value.name)),
    )
    for (const r of mine) {
      if (existing.has(String(r.value.name))) {
        errors.push(
          located(
            r.file,
            [r.key, r.index, 'name'],
            `'${String(r.value.name)}' exists already in the catalogue`,
          ),
        )
      }
    }
  }
  if (errors.length > 0) return errors
  const partOf: Array<{ r: LocatedRecord; id: string; parent: string }> = []
  for (const r of records) {
    if (errors.length >= maxErrors) break
    try {
      if (r.key === 'infrastructures') {
        const input = r.value as InfrastructureCreate
        assertCountry(input.country)
        const id = newId()
        const now = clock.now()
        // partOf is set once every infrastructure of the import exists
        await insertInfrastructureRow(tx, newInfrastructureRow(input, id, now, null))
        if (input.partOf != null) partOf.push({ r, id, parent: input.partOf })
      } else if (r.key === 'communities') {
        const input = r.value as CommunityCreate
        const now = clock.now()
        await insertCommunityRow(tx, {
          id: newId(),
          name: input.name,
          title: input.title,
          field: input.field ?? null,
          description: input.description ?? '',
          homepage: input.homepage ?? null,
          created_at: now,
          updated_at: now,
        })
      } else {
        await addRecordIn(tx, clock, fileKeyKinds[r.key]!, r.value)
      }
      counts[r.key] = (counts[r.key] ?? 0) + 1
    } catch (err) {
      if (!(err instanceof ContinuumError)) throw err
      const field = typeof err.details.field === 'string' ? err.details.field.split('.') : ['name']
      errors.push(located(r.file, [r.key, r.index, ...field], err.message.replace(/^[\w.]+: /, '')))
      // A failed statement aborts a PostgreSQL transaction; nothing after it could run.
      if (sqlStateOf(err.cause ?? err) !== undefined) return errors
    }
  }
  for (const { r, id, parent } of partOf) {
    const row = await findInfrastructureRow(tx, { name: parent })
    if (!row) {
      errors.push(
        located(r.file, [r.key, r.index, 'partOf'], `infrastructure '${parent}' not found`),
      )
    } else if (row.id === id) {
      errors.push(
        located(r.file, [r.key, r.index, 'partOf'], 'an infrastructure cannot be part of itself'),
      )
    } else await updateInfrastructureRow(tx, id, { part_of: row.id })
  }
  return errors
}

export function invalid(errors: ImportError[]): ContinuumError {
  const shown = errors.slice(0, maxErrors)
  return new ContinuumError(
    'IMPORT_INVALID',
    `${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was imported\n${shown.map((e) => e.text).join('\n')}`,
    { errors: shown },
  )
}

export { locate }
