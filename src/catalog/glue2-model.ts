/**
 * GLUE 2.0 entities as read from any rendering, for glue2-map.ts: the JSON rendering nested
 * under its services, the official flat JSON rendering (one list per entity kind, linked by
 * `Associations` naming other entities' IDs), and LDIF (glue2-ldif.ts, linked by
 * `…ForeignKey` attributes and the DN tree). Each entity knows where it is in its file, and
 * which of its attributes the mapping used, so that everything else can be reported.
 */
import type { ImportError } from '../contract/index.js'
import {
  ContinuumError,
  JsonSyntaxError,
  checkValueLimits,
  parseJsonStrict,
  walkJsonPositions,
  lineColumnOf,
} from '../platform/index.js'
import {
  catalogYamlLimits,
  error,
  formatPath,
  locate,
  type ParsedFile,
  type PathPart,
} from './catalog-file-parse.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

export class GlueEntity {
  /** Attributes the mapping has read. */
  readonly used = new Set<string>()
  /** Entities nested in this one, linked to it or linking to it. */
  readonly related = new Set<GlueEntity>()
  /** Some catalogue record was made from (part of) this entity. */
  claimed = false
  parent: GlueEntity | undefined
  /** Position in the document, for document order. */
  seq = 0

  constructor(
    readonly kind: string,
    readonly attrs: Map<string, unknown>,
    /** IDs of other entities this one names. */
    readonly links: string[],
    /** Shown in messages: `ComputingService[0]`, `ComputingService[0].ComputingManager[0]`. */
    readonly path: string,
    /** [line, column] of an attribute, or of the entity itself. */
    readonly pos: (attr?: string) => [number, number],
    /** The top-level list the entity came from, for reporting whole lists. */
    readonly list: string,
  ) {}

  get id(): string | undefined {
    const id = this.attrs.get('ID')
    return typeof id === 'string' ? id : undefined
  }

  has(attr: string): boolean {
    return this.attrs.has(attr)
  }

  /** An attribute's value, marked as used. */
  take(attr: string): unknown {
    if (!this.attrs.has(attr)) return undefined
    this.used.add(attr)
    return this.attrs.get(attr)
  }

  /** Entities of one of `kinds` related to this one, in document order. */
  rel(...kinds: string[]): GlueEntity[] {
    return [...this.related].filter((e) => kinds.includes(e.kind)).sort((a, b) => a.seq - b.seq)
  }

  errorAt(file: string, attr: string | undefined, message: string): ImportError {
    const [line, column] = this.pos(attr)
    return error(file, line, column, attr ? `${this.path}.${attr}` : this.path, message)
  }
}

export interface GlueDocument {
  entities: GlueEntity[]
}

/**
 * Links entities: nesting, `Associations` and foreign keys, and attributes whose values are all
 * IDs of entities in the document (the older flat rendering names related entities directly,
 * as `"Service": "urn:…"`). Relations are kept both ways.
 */
export function linkEntities(entities: GlueEntity[]): void {
  const byId = new Map<string, GlueEntity>()
  for (const e of entities) if (e.id !== undefined && !byId.has(e.id)) byId.set(e.id, e)
  const pairs: Array<[GlueEntity, GlueEntity]> = []
  for (const e of entities) {
    if (e.parent) pairs.push([e, e.parent])
    for (const id of e.links) {
      const to = byId.get(id)
      if (to && to !== e) pairs.push([e, to])
    }
    for (const [attr, v] of e.attrs) {
      if (attr === 'ID') continue
      const ids = Array.isArray(v) ? v : [v]
      const isLink = (x: unknown) => typeof x === 'string' && x !== e.id && byId.has(x)
      if (ids.length === 0 || !ids.every(isLink)) continue
      e.used.add(attr)
      for (const id of ids as string[]) pairs.push([e, byId.get(id)!])
    }
  }
  entities.forEach((e, i) => (e.seq = i))
  for (const [a, b] of pairs) {
    a.related.add(b)
    b.related.add(a)
  }
}

/** A GLUE 2.0 JSON file (nested or flat) read strictly as JSON into entities. */
export function readGlueJson(
  path: string,
  content: string,
): { doc?: GlueDocument; errors: ImportError[] } {
  const what = `GLUE 2.0 file ${path}`
  const bytes = Buffer.byteLength(content, 'utf8')
  if (bytes > catalogYamlLimits.maxBytes) {
    throw new ContinuumError(
      'PAYLOAD_TOO_LARGE',
      `${what} is ${bytes} bytes; at most ${catalogYamlLimits.maxBytes} are accepted`,
      { limit: catalogYamlLimits.maxBytes, size: bytes },
    )
  }
  let root: unknown
  try {
    root = parseJsonStrict(content)
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err
    const message = `not valid JSON: ${err.message}`
    return { errors: [error(path, err.line, err.column, '(syntax)', message)] }
  }
  checkValueLimits(root, catalogYamlLimits, what)
  const lc = lineColumnOf(content)
  const file: ParsedFile = { path, locations: new Map() }
  walkJsonPositions(
    content,
    (at, offset) => file.locations.set(formatPath(at), lc(offset)),
    (at, key, offset) => file.locations.set(`${formatPath(at)}\0${key}`, lc(offset)),
  )
  if (!isObj(root)) {
    const at = locate(file, [])
    const message =
      'expected a GLUE 2.0 JSON object of entity lists (AdminDomain, ComputingService, …)'
    return { errors: [error(path, at.line, at.column, '(file)', message)] }
  }
  const entities: GlueEntity[] = []
  const errors: ImportError[] = []
  const add = (kind: string, value: Obj, where: PathPart[], parent?: GlueEntity) => {
    const attrs = new Map<string, unknown>()
    const links: string[] = []
    const nested: Array<[string, Obj, PathPart[]]> = []
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Associations' && isObj(v)) {
        for (const ids of Object.values(v)) {
          for (const id of Array.isArray(ids) ? ids : [ids]) {
            if (typeof id === 'string') links.push(id)
          }
        }
      } else if (isObj(v)) nested.push([k, v, [...where, k]])
      else if (Array.isArray(v) && v.length > 0 && v.every(isObj)) {
        v.forEach((item, j) => nested.push([k, item, [...where, k, j]]))
      } else attrs.set(k, v)
    }
    const entity = new GlueEntity(
      kind,
      attrs,
      links,
      formatPath(where),
      (attr) => {
        const at = locate(file, where, attr)
        return [at.line, at.column]
      },
      String(where[0]),
    )
    entity.parent = parent
    entities.push(entity)
    for (const [k, v, at] of nested) add(k, v, at, entity)
  }
  for (const [key, v] of Object.entries(root)) {
    if (isObj(v)) add(key, v, [key])
    else if (Array.isArray(v) && v.every(isObj)) v.forEach((item, i) => add(key, item, [key, i]))
    else {
      const at = locate(file, [key])
      const message = `expected a list of GLUE 2.0 entities (JSON objects), got ${typeName(v)}`
      errors.push(error(path, at.line, at.column, key, message))
    }
  }
  if (errors.length > 0) return { errors }
  linkEntities(entities)
  return { doc: { entities }, errors }
}

const typeName = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list with non-objects' : `a ${typeof v}`
