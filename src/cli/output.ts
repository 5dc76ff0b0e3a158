/**
 * What the CLI prints: human-readable tables and records by default, JSON with --json, and
 * errors in the same shape as the API's (`{"error":{…}}`) so scripts parse one format.
 */
import Table from 'cli-table3'
import type { ContinuumError } from '../platform/browser.js'

export interface Output {
  json: boolean
  write(text: string): void
  error(text: string): void
}

export const processOutput = (json: boolean): Output => ({
  json,
  write: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  error: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
})

export interface Column<T> {
  header: string
  value: (row: T) => string | number | null | undefined
}

/** A borderless, aligned table, like `kubectl get` or `rucio list-rses`. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({
    head: columns.map((c) => c.header.toUpperCase()),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row))))
  return table.toString().replace(/[ \t]+$/gm, '')
}

/** One record as `key: value` lines. */
export function formatRecord(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length))
  return Object.entries(record)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cell(v)}`)
    .join('\n')
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value.toString()
  }
  return JSON.stringify(value)
}

export function printResult<T>(out: Output, value: T, human: (value: T) => string): void {
  out.write(out.json ? JSON.stringify(value, null, 2) : human(value))
}

export function printError(out: Output, err: ContinuumError): void {
  if (out.json) {
    out.write(JSON.stringify({ error: err.toJSON() }, null, 2))
    return
  }
  const lines = [`error ${err.code}: ${err.message}`]
  const fieldErrors =
    (err.details.errors as Array<{ field: string; message: string }> | undefined) ?? []
  if (fieldErrors.length > 1) lines.push(...fieldErrors.map((f) => `  ${f.field}: ${f.message}`))
  if (typeof err.details.requestId === 'string') {
    lines.push(`  request id: ${err.details.requestId}`)
  }
  if (err.retryable) lines.push('  (this may succeed if retried)')
  out.error(lines.join('\n'))
}
