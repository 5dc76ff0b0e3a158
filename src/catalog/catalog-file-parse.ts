/**
 * Reads catalogue files (YAML, or JSON which is YAML too) into records, with every problem
 * reported as `file:line:col json.path: message`: syntax errors, schema errors (wrong types,
 * unknown fields, bad enums), unknown units, and duplicate names across all files.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml'
import {
  CatalogFileSchema,
  catalogFileKeys,
  type CatalogFileKey,
  type ImportError,
} from '../contract/index.js'
import { parseYamlBounded, yamlToValue, type YamlLimits } from '../platform/index.js'
import { parseQuantity } from './quantities.js'

/**
 * What one catalogue file may hold (the shipped ones are under 10 KiB; a large GLUE 2.0 dump is
 * a few hundred). The parse is linear in the size, so this bounds one file's work; files are
 * read one at a time with a turn of the event loop between them.
 */
export const catalogYamlLimits: YamlLimits = {
  maxBytes: 512 * 1024,
  maxNodes: 100_000,
  maxDepth: 32,
  maxAliases: 200,
  maxKeys: 100_000,
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const ajv = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false }),
)
// Compiled on first use, not at import: every start of the server and the CLI paid for it.
let validateFile: ValidateFunction | undefined

export type PathPart = string | number

/** One record read from a file, with where it came from so later errors can point at it. */
export interface LocatedRecord {
  key: CatalogFileKey
  index: number
  value: Record<string, unknown>
  file: ParsedFile
}

/**
 * A parsed file as later checks need it: where each value (and each map key) starts, by its
 * path. Plain data, so a file parsed on another thread can be passed back (see
 * catalog-parse-thread.ts).
 */
export interface ParsedFile {
  path: string
  /** `formatPath(path)` → [line, column]; keys as `formatPath(path)` + NUL + the key. */
  locations: Map<string, [number, number]>
}

export function formatPath(path: readonly PathPart[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out || '(file)'
}

/** The positions of every value and key of a parsed document, for `locate`. */
export function indexLocations(path: string, doc: Document.Parsed, lines: LineCounter): ParsedFile {
  const locations = new Map<string, [number, number]>()
  const at = (node: Node | null | undefined): [number, number] => {
    const { line, col } = lines.linePos(node?.range?.[0] ?? 0)
    return [line, col]
  }
  const visit = (node: unknown, where: PathPart[]): void => {
    const key = formatPath(where)
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue
        const name = pair.key.value as PathPart
        locations.set(`${key}\0${String(name)}`, at(pair.key))
        const value = (pair.value as Node | null) ?? pair.key
        locations.set(formatPath([...where, name]), at(value))
        visit(pair.value, [...where, name])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        locations.set(formatPath([...where, i]), at(item as Node))
        visit(item, [...where, i])
      })
    }
  }
  locations.set(formatPath([]), at(doc.contents))
  visit(doc.contents, [])
  return { path, locations }
}

/** Where `path` is in the file: the value's node, or for a missing/unknown key the nearest parent. */
export function locate(file: ParsedFile, path: readonly PathPart[], keyOf?: string): ImportError {
  const shown = formatPath(keyOf === undefined ? path : [...path, keyOf])
  let found = keyOf === undefined ? undefined : file.locations.get(`${formatPath(path)}\0${keyOf}`)
  for (let n = path.length; found === undefined && n >= 0; n--) {
    found = file.locations.get(formatPath(path.slice(0, n)))
  }
  const [line, col] = found ?? [1, 1]
  return error(file.path, line, col, shown, '')
}

export function error(
  file: string,
  line: number,
  column: number,
  path: string,
  message: string,
): ImportError {
  return {
    file,
    line,
    column,
    path,
    message,
    text: `${file}:${line}:${column} ${path}: ${message}`,
  }
}

export function located(
  file: ParsedFile,
  path: readonly PathPart[],
  message: string,
  keyOf?: string,
): ImportError {
  const at = locate(file, path, keyOf)
  return error(at.file, at.line, at.column, at.path, message)
}

/** Parses and schema-checks one file; returns its records or its errors. */
export function parseCatalogFile(
  path: string,
  content: string,
): { file: ParsedFile; records: LocatedRecord[]; errors: ImportError[] } {
  const { doc, lines } = parseYamlBounded(content, catalogYamlLimits, `catalogue file ${path}`)
  const file = indexLocations(path, doc, lines)
  const errors: ImportError[] = []
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0])
    errors.push(
      error(
        path,
        line,
        col,
        '(syntax)',
        e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      ),
    )
  }
  if (errors.length > 0) return { file, records: [], errors }
  const data = yamlToValue(doc, catalogYamlLimits, `catalogue file ${path}`)
  if (data === null || data === undefined) {
    return { file, records: [], errors: [error(path, 1, 1, '(file)', 'the file is empty')] }
  }
  convertQuantities(data, [], file, errors)
  validateFile ??= ajv.compile(CatalogFileSchema)
  if (!validateFile(data)) {
    for (const e of dedupe(validateFile.errors ?? [])) errors.push(ajvError(file, e))
  }
  if (errors.length > 0) return { file, records: [], errors }
  const records: LocatedRecord[] = []
  const body = data as Record<string, Array<Record<string, unknown>>>
  for (const key of catalogFileKeys) {
    ;(body[key] ?? []).forEach((value, index) => records.push({ key, index, value, file }))
  }
  return { file, records, errors }
}

/** Replaces quantity strings (`"72 h"`) in unit-suffixed fields by numbers, in place. */
function convertQuantities(
  value: unknown,
  path: PathPart[],
  file: ParsedFile,
  errors: ImportError[],
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => convertQuantities(v, [...path, i], file, errors))
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string' && /(GB|TB|PB|PBPerYear|Gbps|[wW]alltimeHours|Ms)$/.test(k)) {
        const q = parseQuantity(k, v)
        if (typeof q === 'number') obj[k] = q
        else errors.push(located(file, [...path, k], q.error))
      } else convertQuantities(v, [...path, k], file, errors)
    }
  }
}

function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>()
  return errors.filter((e) => {
    const key = `${e.instancePath} ${e.keyword} ${e.params.additionalProperty ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function ajvError(file: ParsedFile, e: ErrorObject): ImportError {
  const path: PathPart[] = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty)
      return located(file, path, `unknown field '${extra}'`, extra)
    }
    case 'required':
      return located(file, path, `missing required field '${String(e.params.missingProperty)}'`)
    case 'type':
      return located(file, path, `expected ${String(e.params.type).replace(',', ' or ')}`)
    case 'enum':
      return located(
        file,
        path,
        `expected one of ${(e.params.allowedValues as unknown[]).join(', ')}`,
      )
    default:
      return located(file, path, e.message ?? e.keyword)
  }
}

/** Duplicate names across all files (members: within their community). */
export function findDuplicates(records: LocatedRecord[]): ImportError[] {
  const first = new Map<string, LocatedRecord>()
  const errors: ImportError[] = []
  for (const r of records) {
    const scope = r.key === 'members' ? `${String(r.value.community)}/` : ''
    const id = `${r.key}:${scope}${String(r.value.name)}`
    const prior = first.get(id)
    if (prior) {
      const at = locate(prior.file, [prior.key, prior.index, 'name'])
      errors.push(
        located(
          r.file,
          [r.key, r.index, 'name'],
          `duplicate name '${String(r.value.name)}' (first at ${at.file}:${at.line}:${at.column})`,
        ),
      )
    } else first.set(id, r)
  }
  return errors
}
