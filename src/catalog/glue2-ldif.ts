/**
 * GLUE 2.0 in LDIF, as site and top BDIIs publish it (`ldapsearch -LLL -b o=glue`), read into
 * the entities of glue2-model.ts. An entry's most specific `GLUE2…` objectClass is its kind;
 * attributes lose their class prefix (`GLUE2ComputingManagerTotalLogicalCPUs` →
 * `TotalLogicalCPUs`, `GLUE2EntityName` → `Name`); `…ForeignKey` attributes and the entry's
 * parent in the DN link entities. LDIF as RFC 2849 writes it: `#` comments, lines continued by
 * a leading space, `attr:: base64`, blank lines between entries. Entries with no GLUE 2.0 class
 * (the `o=glue` root, `GLUE2Group` folders) are the directory's structure, not data.
 */
import type { ImportError } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { catalogYamlLimits, error } from './catalog-file-parse.js'
import { GlueEntity, linkEntities, type GlueDocument } from './glue2-model.js'

/** Classes whose attributes other classes inherit (GFD.147's abstract entities). */
const baseClasses = [
  'Entity',
  'Domain',
  'Service',
  'Endpoint',
  'Share',
  'Manager',
  'Resource',
  'Activity',
  'Policy',
]

/**
 * A file is LDIF when it is named so or starts (after comments) with `dn:`, or with
 * `version: 1` and then `dn:` (a YAML catalogue file may start with `version:` too).
 */
export function isLdif(path: string, content: string): boolean {
  if (/\.ldif$/i.test(path)) return true
  const lines = content
    .slice(0, 4096)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const start = /^version:\s*1$/i.test(lines[0] ?? '') ? 1 : 0
  return /^dn::?\s/i.test(`${lines[start] ?? ''} `)
}

interface Line {
  text: string
  line: number
}
interface Entry {
  dn: string
  line: number
  attrs: Array<{ name: string; value: string; line: number; column: number }>
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** LDIF text → entities, or the errors (with line:column) that stop it. */
export function readGlueLdif(
  path: string,
  content: string,
): { doc?: GlueDocument; errors: ImportError[] } {
  const bytes = Buffer.byteLength(content, 'utf8')
  if (bytes > catalogYamlLimits.maxBytes) {
    throw new ContinuumError(
      'PAYLOAD_TOO_LARGE',
      `GLUE 2.0 file ${path} is ${bytes} bytes; at most ${catalogYamlLimits.maxBytes} are accepted`,
      { limit: catalogYamlLimits.maxBytes, size: bytes },
    )
  }
  const errors: ImportError[] = []
  const fail = (line: number, column: number, message: string) =>
    errors.push(error(path, line, column, '(ldif)', message))

  // Logical lines: continuations joined, comments dropped, blank lines kept as separators.
  const logical: Line[] = []
  let comment = false
  content.split('\n').forEach((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (text.startsWith(' ')) {
      if (comment) return
      const last = logical.at(-1)
      if (!last || last.text === '') {
        fail(i + 1, 1, 'a continuation line (leading space) with nothing to continue')
      } else last.text += text.slice(1)
      return
    }
    comment = text.startsWith('#')
    if (!comment) logical.push({ text, line: i + 1 })
  })

  const entries: Entry[] = []
  let current: Entry | undefined
  let attributes = 0
  for (const { text, line } of logical) {
    if (text === '') {
      current = undefined
      continue
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*)(::?|:<)\s*(.*)$/.exec(text)
    if (!m) {
      fail(line, 1, `expected 'attribute: value', got '${text.slice(0, 40)}'`)
      continue
    }
    const name = m[1]!.split(';')[0]!
    const column = text.length - m[3]!.length + 1
    let value = m[3]!
    if (m[2] === ':<') {
      fail(line, column, 'values read from a URL (attr:< url) are not supported')
      continue
    }
    if (m[2] === '::') {
      const b64 = value.trim()
      const decoded =
        /^[A-Za-z0-9+/]*={0,2}$/.test(b64) && b64.length % 4 === 0
          ? decodeUtf8(Buffer.from(b64, 'base64'))
          : undefined
      if (decoded === undefined) {
        fail(line, column, `'${name}' is not valid base64 of UTF-8 text`)
        continue
      }
      value = decoded
    }
    if (!current) {
      if (name.toLowerCase() === 'version' && entries.length === 0) continue
      if (name.toLowerCase() !== 'dn') {
        fail(line, 1, `an entry starts with 'dn:', not '${name}:'`)
        current = { dn: '', line, attrs: [] }
        continue
      }
      current = { dn: value, line, attrs: [] }
      entries.push(current)
      continue
    }
    if (name.toLowerCase() === 'changetype') {
      if (value.trim() !== 'add') {
        fail(line, column, `only 'changetype: add' is read, not '${value}'`)
      }
      continue
    }
    if (++attributes > catalogYamlLimits.maxKeys) {
      throw new ContinuumError(
        'INPUT_TOO_COMPLEX',
        `GLUE 2.0 file ${path} is refused: it has more than ${catalogYamlLimits.maxKeys} attributes`,
        { maxKeys: catalogYamlLimits.maxKeys },
      )
    }
    current.attrs.push({ name, value, line, column })
  }
  if (errors.length > 0) return { errors }

  const entities: GlueEntity[] = []
  const counts = new Map<string, number>()
  for (const entry of entries) {
    const entity = toEntity(entry, counts)
    if (entity) entities.push(entity)
  }
  linkEntities(entities)
  return { doc: { entities }, errors }
}

function decodeUtf8(buf: Buffer): string | undefined {
  try {
    return utf8.decode(buf)
  } catch {
    return undefined
  }
}

function toEntity(entry: Entry, counts: Map<string, number>): GlueEntity | undefined {
  const classes = entry.attrs
    .filter((a) => a.name.toLowerCase() === 'objectclass' && /^GLUE2/i.test(a.value.trim()))
    .map((a) => a.value.trim().slice(5))
    .filter((c) => c !== 'Group')
  if (classes.length === 0) return undefined
  const specific = classes.filter((c) => !baseClasses.includes(c))
  const kind = (specific.length ? specific : classes).sort((a, b) => b.length - a.length)[0]!
  const prefixes = [...new Set([...classes, ...baseClasses])].sort((a, b) => b.length - a.length)
  const attrs = new Map<string, unknown>()
  const where = new Map<string, [number, number]>()
  const links: string[] = []
  for (const a of entry.attrs) {
    if (a.name.toLowerCase() === 'objectclass') continue
    const prefix = prefixes.find(
      (p) => a.name.startsWith(`GLUE2${p}`) && a.name.length > p.length + 5,
    )
    const attr = prefix ? a.name.slice(prefix.length + 5) : a.name
    if (attr.endsWith('ForeignKey')) {
      links.push(a.value)
      continue
    }
    const before = attrs.get(attr)
    attrs.set(attr, before === undefined ? a.value : [before, a.value].flat())
    if (!where.has(attr)) where.set(attr, [a.line, a.column])
  }
  // The parent entry in the DN (`GLUE2ManagerID=m,GLUE2ServiceID=s,…`) is related too.
  const parent = /^(?:[^,\\]|\\.)*,\s*GLUE2(?!Group)\w*ID=((?:[^,\\]|\\.)*)/.exec(entry.dn)
  if (parent) links.push(parent[1]!.replace(/\\(.)/g, '$1'))
  const n = counts.get(kind) ?? 0
  counts.set(kind, n + 1)
  return new GlueEntity(
    kind,
    attrs,
    links,
    `${kind}[${n}]`,
    (attr) => (attr !== undefined && where.get(attr)) || [entry.line, 1],
    kind,
  )
}
