/**
 * GLUE 2.0 import (JSON, nested or flat, and LDIF): each file mapped (glue2-map.ts), then
 * imported as catalogue files. `unmapped` lists everything not mapped; `warnings` says it in
 * lines, up to `maxWarnings` (a top-BDII dump has tens of thousands of unmapped attributes).
 */
import type { ImportResult, ImportError } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { importRecords, invalid, type ImportInput } from './catalog-import.js'
import { mapGlueFileOffThread, parseCatalogFileOffThread } from './catalog-parse-thread.js'
import type { Unmapped } from './glue2-map.js'

const maxWarnings = 1000

export async function importGlue2(ctx: Context, input: ImportInput): Promise<ImportResult> {
  const errors: ImportError[] = []
  let unmapped: Unmapped[] = []
  let warnings: string[] = []
  const mappedFiles: Array<{ path: string; content: string }> = []
  for (const f of input.files) {
    await nextTurn()
    const read = await mapGlueFileOffThread(f.path, f.content)
    for (const e of read.errors) errors.push(e)
    unmapped = unmapped.concat(read.unmapped)
    warnings = warnings.concat(read.warnings)
    if (read.mapped) mappedFiles.push(read.mapped)
  }
  if (errors.length > 0) throw invalid(errors)
  const records = []
  for (const m of mappedFiles) {
    const parsed = await parseCatalogFileOffThread(m.path, m.content)
    errors.push(...parsed.errors)
    records.push(...parsed.records)
  }
  if (errors.length > 0) throw invalid(errors)
  const result = await importRecords(ctx, records, input.dryRun === true)
  if (warnings.length > maxWarnings) {
    const more = warnings.length - maxWarnings + 1
    warnings = [
      ...warnings.slice(0, maxWarnings - 1),
      `… and ${more} more warnings (unmapped lists every item not mapped)`,
    ]
  }
  return { ...result, unmapped, warnings }
}
