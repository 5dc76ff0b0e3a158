/**
 * The published JSON Schema of catalogue files (data/schema/catalog.schema.json), derived from
 * the same TypeBox schemas the importer validates with. Number fields whose name carries a
 * unit also accept a quantity string ("72 h", "2.5 PB"), which the importer converts.
 */
import { CatalogFileSchema } from '../contract/index.js'

const unitField = /(GB|TB|PB|PBPerYear|Gbps|[wW]alltimeHours|Ms)$/

function widen(node: unknown, key?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => widen(n))
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, widen(pv, pk)]))
        : widen(v)
  }
  const type = out.type
  if (
    key &&
    unitField.test(key) &&
    (type === 'number' || (Array.isArray(type) && type.includes('number')))
  ) {
    out.type = [...(Array.isArray(type) ? (type as string[]) : [type as string]), 'string']
    out.pattern = '^\\s*[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?\\s*[A-Za-z/]+\\s*$'
  }
  return out
}

export function catalogJsonSchema(): Record<string, unknown> {
  const schema = widen(JSON.parse(JSON.stringify(CatalogFileSchema))) as Record<string, unknown>
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...schema,
    description:
      'A Continuum catalogue file: lists of records by kind, as the API create requests. Number fields named with a unit (…Hours, …GB, …TB, …PB, …Gbps, …Ms) also take quantities like "72 h".',
  }
}

export function catalogJsonSchemaText(): string {
  return `${JSON.stringify(catalogJsonSchema(), null, 2)}\n`
}
