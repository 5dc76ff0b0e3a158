/** GLUE 2.0 import (JSON, nested or flat, and LDIF): each file mapped (glue2-map.ts), then imported as catalogue files. */
import type { ImportResult, ImportError } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { importRecords, invalid, type ImportInput } from './catalog-import.js'
import { mapGlueFileOffThread, parseCatalogFileOffThread } from './catalog-parse-thread.js'
import type { Unmapped } from './glue2-map.js'

export async function importGlue2(ctx: Context, input: ImportInput): Promise<ImportResult> {
  const errors: ImportError[] = []
  const unmapped: Unmapped[] = []
  const warnings: string[] = []
  const mappedFiles: Array<{ path: string; content: string }> = []
  for (const f of input.files) {
    await nextTurn()
    const read = await mapGlueFileOffThread(f.path, f.content)
    errors.push(...read.errors)
    unmapped.push(...read.unmapped)
    warnings.push(...read.warnings)
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
  return { ...result, unmapped, warnings }
}
