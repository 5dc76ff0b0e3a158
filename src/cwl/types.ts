/**
 * CWL types: written forms normalised (`File?`, `string[]`, `{type: array, items}`, named
 * SchemaDefRequirement types), and values checked against them. Unions are arrays of types.
 */
import { CwlError } from './errors.js'

export type CwlType =
  | string
  | CwlType[]
  | { type: 'array'; items: CwlType; inputBinding?: Binding; name?: string }
  | { type: 'record'; fields: RecordField[]; name?: string; inputBinding?: Binding }
  | { type: 'enum'; symbols: string[]; name?: string; inputBinding?: Binding }

export interface RecordField {
  name: string
  type: CwlType
  inputBinding?: Binding
  outputBinding?: Record<string, unknown>
  secondaryFiles?: unknown
  format?: unknown
  doc?: unknown
}

export interface Binding {
  position?: number | string
  prefix?: string
  separate?: boolean
  itemSeparator?: string
  valueFrom?: string
  shellQuote?: boolean
  loadContents?: boolean
}

/** The last part of a CWL identifier (`#main/step/x` → `x`, `file.cwl#x` → `x`). */
export function shortName(id: string): string {
  const hash = id.lastIndexOf('#')
  const tail = hash >= 0 ? id.slice(hash + 1) : id
  return tail.slice(tail.lastIndexOf('/') + 1)
}

/** Normalises a written type; named types are looked up in `named` (SchemaDefRequirement). */
export function normalizeType(raw: unknown, named: Map<string, CwlType>): CwlType {
  if (typeof raw === 'string') {
    if (raw.endsWith('?')) return ['null', normalizeType(raw.slice(0, -1), named)]
    if (raw.endsWith('[]')) return { type: 'array', items: normalizeType(raw.slice(0, -2), named) }
    const found = named.get(shortName(raw)) ?? named.get(raw)
    if (found) return found
    return raw.startsWith('#') ? shortName(raw) : raw
  }
  if (Array.isArray(raw)) return raw.map((t) => normalizeType(t, named))
  if (raw !== null && typeof raw === 'object') {
    const t = raw as Record<string, unknown>
    const binding = t.inputBinding as Binding | undefined
    const extra = binding ? { inputBinding: binding } : {}
    if (t.type === 'array') return { type: 'array', items: normalizeType(t.items, named), ...extra }
    if (t.type === 'enum') {
      const symbols = (t.symbols as string[]).map((s) => shortName(String(s)))
      return { type: 'enum', symbols, ...extra, ...(t.name ? { name: text(t.name) } : {}) }
    }
    if (t.type === 'record') {
      const list = Array.isArray(t.fields)
        ? (t.fields as Array<Record<string, unknown>>)
        : Object.entries((t.fields as Record<string, unknown>) ?? {}).map(([name, v]) =>
            typeof v === 'object' && v !== null && !Array.isArray(v)
              ? { name, ...(v as Record<string, unknown>) }
              : { name, type: v },
          )
      const fields = (list as Array<Record<string, unknown>>).map((f) => ({
        ...f,
        name: shortName(String(f.name ?? f.id)),
        type: normalizeType(f.type, named),
      })) as RecordField[]
      return { type: 'record', fields, ...extra, ...(t.name ? { name: text(t.name) } : {}) }
    }
    // `{type: File}` and the like.
    return normalizeType(t.type, named)
  }
  throw new CwlError('invalid', `not a CWL type: ${JSON.stringify(raw)}`)
}

export function isOptional(type: CwlType): boolean {
  return type === 'null' || (Array.isArray(type) && type.some(isOptional))
}

/** Whether `value` is of `type` (a member of a union counts). */
export function matches(type: CwlType, value: unknown): boolean {
  if (Array.isArray(type)) return type.some((t) => matches(t, value))
  if (typeof type === 'string') {
    switch (type) {
      case 'null':
        return value === null || value === undefined
      case 'Any':
        return value !== null && value !== undefined
      case 'boolean':
        return typeof value === 'boolean'
      case 'int':
      case 'long':
        return typeof value === 'number' && Number.isInteger(value)
      case 'float':
      case 'double':
        return typeof value === 'number'
      case 'string':
        return typeof value === 'string'
      case 'File':
      case 'Directory':
        return isObject(value) && value.class === type
      case 'stdout':
      case 'stderr':
        return isObject(value) && value.class === 'File'
      default:
        return false
    }
  }
  if (type.type === 'array') {
    return Array.isArray(value) && value.every((v) => matches(type.items, v))
  }
  if (type.type === 'enum') {
    return typeof value === 'string' && type.symbols.includes(shortName(value))
  }
  if (!isObject(value) || 'class' in value) return false
  return type.fields.every((f) => matches(f.type, value[f.name]))
}

/** A scalar as text ('' for anything else): for ids, names and paths read from documents. */
export function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : ''
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The first member of a union that matches, to bind by (its inputBinding, its items). */
export function memberFor(type: CwlType, value: unknown): CwlType {
  if (!Array.isArray(type)) return type
  return type.find((t) => matches(t, value)) ?? type[0] ?? 'null'
}
