/**
 * Format checking of File inputs: a File's `format` must be one its parameter allows, the same
 * IRI or one the document's ontologies (`$schemas`: RDF/XML or Turtle files) relate to it by
 * `rdfs:subClassOf` (transitively) or `owl:equivalentClass`. Only those two relations are read
 * from the ontologies, with a light reader of their triples, not a full RDF parser.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { CwlError } from './errors.js'

const rdfs = 'http://www.w3.org/2000/01/rdf-schema#'
const owl = 'http://www.w3.org/2002/07/owl#'

/** For each class, the classes it is a subclass of or equivalent to. */
export type Ontology = Map<string, Set<string>>

const cache = new Map<string, Ontology>()

/** The relations of the ontologies a document names in `$schemas` (paths relative to it). */
export function loadOntology(schemas: unknown, baseDir: string): Ontology {
  const files = (Array.isArray(schemas) ? schemas : schemas === undefined ? [] : [schemas])
    .filter((s): s is string => typeof s === 'string' && !/^[a-z]+:\/\//i.test(s))
    .map((s) => path.resolve(baseDir, s))
  const key = files.join('\n')
  const known = cache.get(key)
  if (known) return known
  const graph: Ontology = new Map()
  const relate = (a: string, b: string, both: boolean) => {
    const add = (x: string, y: string) => {
      if (!graph.has(x)) graph.set(x, new Set())
      graph.get(x)!.add(y)
    }
    add(a, b)
    if (both) add(b, a)
  }
  for (const file of files) {
    if (!existsSync(file)) continue
    const text = readFileSync(file, 'utf8')
    if (/\.(ttl|n3)$/i.test(file)) readTurtle(text, relate)
    else readRdfXml(text, relate)
  }
  cache.set(key, graph)
  return graph
}

type Relate = (a: string, b: string, both: boolean) => void

function readRdfXml(text: string, relate: Relate): void {
  const blocks = /<(owl:Class|rdf:Description)\s+rdf:about="([^"]+)"\s*>([\s\S]*?)<\/\1>/g
  for (const m of text.matchAll(blocks)) {
    const subject = m[2]!
    const body = m[3]!
    for (const r of body.matchAll(
      /<(rdfs:subClassOf|owl:equivalentClass)\s+rdf:resource="([^"]+)"/g,
    )) {
      relate(subject, r[2]!, r[1] === 'owl:equivalentClass')
    }
  }
}

function readTurtle(text: string, relate: Relate): void {
  const prefixes: Record<string, string> = { rdfs, owl }
  for (const m of text.matchAll(/@prefix\s+([\w-]*):\s*<([^>]*)>\s*\./g)) prefixes[m[1]!] = m[2]!
  const iri = (t: string): string => {
    if (t.startsWith('<') && t.endsWith('>')) return t.slice(1, -1)
    const colon = t.indexOf(':')
    const base = colon >= 0 ? prefixes[t.slice(0, colon)] : undefined
    return base === undefined ? t : base + t.slice(colon + 1)
  }
  for (const m of text.matchAll(/^\s*(\S+)\s+(\S+)\s+(\S+)\s*\.\s*$/gm)) {
    const predicate = iri(m[2]!)
    if (predicate === `${rdfs}subClassOf`) relate(iri(m[1]!), iri(m[3]!), false)
    else if (predicate === `${owl}equivalentClass`) relate(iri(m[1]!), iri(m[3]!), true)
  }
}

/** Whether `format` is `wanted`, or reaches it through the ontology's relations. */
function reaches(format: string, wanted: string, ontology: Ontology): boolean {
  const seen = new Set([format])
  const queue = [format]
  while (queue.length > 0) {
    const at = queue.shift()!
    if (at === wanted) return true
    for (const next of ontology.get(at) ?? []) {
      if (!seen.has(next)) {
        seen.add(next)
        queue.push(next)
      }
    }
  }
  return false
}

/** Refuses a File whose format is none of `allowed` (a File without a format passes). */
export function checkFormat(
  file: Record<string, unknown>,
  allowed: unknown,
  ontology: Ontology,
  param: string,
): void {
  if (typeof file.format !== 'string') return
  const wanted = (Array.isArray(allowed) ? allowed : [allowed]).filter(
    (a): a is string => typeof a === 'string',
  )
  if (wanted.length === 0) return
  if (wanted.some((w) => reaches(file.format as string, w, ontology))) return
  throw new CwlError(
    'invalid',
    `input '${param}': ${String(file.basename)} has format ${file.format}, not ${wanted.join(' or ')}`,
  )
}
