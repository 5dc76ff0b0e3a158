/**
 * Loading CWL documents: YAML or JSON files, `$import`/`$include`, packed `$graph` files (the
 * `#main` process, or the one a fragment names), map and list forms of inputs, outputs,
 * requirements and steps, shorthand types, and SchemaDefRequirement's named types. The result
 * is a normalised process: ids are short names, sources are `step/output` or `input`.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { CwlError } from './errors.js'
import { checkVersionFeatures } from './versions.js'
import { parseLenient } from './lenient-yaml.js'
import {
  isObject,
  normalizeType,
  shortName,
  text,
  type Binding,
  type CwlType,
  type RecordField,
} from './types.js'

export type Requirement = Record<string, unknown> & { class: string }

export interface Param {
  id: string
  type: CwlType
  default?: unknown
  inputBinding?: Binding
  outputBinding?: {
    glob?: unknown
    loadContents?: boolean
    outputEval?: string
    loadListing?: string
  }
  /** `required` unset: true for an input, false for an output (the spec's defaults). */
  secondaryFiles?: Array<{ pattern: string; required?: boolean | string }>
  format?: unknown
  loadContents?: boolean
  loadListing?: string
  outputSource?: string[]
  /** `outputSource` was written as a list (merged as MultipleInputFeatureRequirement says). */
  outputSourceIsList?: boolean
  linkMerge?: string
  pickValue?: string
}

export interface StepInput {
  id: string
  source: string[]
  /** `source` was written as a list (MultipleInputFeatureRequirement merges it). */
  sourceIsList: boolean
  default?: unknown
  valueFrom?: string
  linkMerge?: string
  pickValue?: string
  /** The source's File read in before `valueFrom` sees it. */
  loadContents?: boolean
}

export interface Step {
  id: string
  in: StepInput[]
  out: string[]
  run: Process
  scatter: string[]
  scatterMethod?: string
  when?: string
  requirements: Requirement[]
  hints: Requirement[]
}

export interface Process {
  class: 'CommandLineTool' | 'ExpressionTool' | 'Workflow' | 'Operation'
  id: string
  /** Where relative paths in the document resolve. */
  baseDir: string
  inputs: Param[]
  outputs: Param[]
  requirements: Requirement[]
  hints: Requirement[]
  raw: Record<string, unknown>
  steps: Step[]
  /** `$namespaces` of the document: prefixes of formats (`edam:format_2330`). */
  namespaces: Record<string, string>
}

const processClasses = new Set(['CommandLineTool', 'ExpressionTool', 'Workflow', 'Operation'])

/** While set: the only folder documents may be read from (a server loading a bundle). */
let confinedTo: string | undefined

function assertConfined(file: string): void {
  if (confinedTo === undefined) return
  const rel = path.relative(confinedTo, file)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new CwlError('invalid', `${file} is outside the workflow's folder`)
  }
}

/** Loads a process reading no file outside `root` (`run`, `$import`, `$include` included). */
export function loadProcessWithin(root: string, ref: string): Process {
  const before = confinedTo
  confinedTo = path.resolve(root)
  try {
    return loadProcess(ref)
  } finally {
    confinedTo = before
  }
}

/** Loads the process a file (and optional `#fragment`) names. */
export function loadProcess(ref: string): Process {
  const [file, fragment] = splitRef(ref)
  const doc = readDocument(file)
  return fromDocument(doc, path.dirname(file), fragment)
}

function splitRef(ref: string): [string, string | undefined] {
  const clean = ref.startsWith('file://') ? decodeURIComponent(ref.slice(7)) : ref
  const hash = clean.lastIndexOf('#')
  return hash > 0
    ? [path.resolve(clean.slice(0, hash)), clean.slice(hash + 1)]
    : [path.resolve(clean), undefined]
}

/** A document parsed, `$import` and `$include` replaced by what they name. */
export function readDocument(file: string): unknown {
  let text: string
  assertConfined(file)
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new CwlError('invalid', `cannot read ${file}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = parseLenient(text)
  } catch (err) {
    throw new CwlError('invalid', `${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  return resolveIncludes(doc, path.dirname(file))
}

function resolveIncludes(value: unknown, dir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIncludes(v, dir))
  if (!isObject(value)) return value
  if (typeof value.$import === 'string') {
    const target = path.resolve(dir, value.$import)
    return readDocument(target)
  }
  if (typeof value.$include === 'string') {
    const target = path.resolve(dir, value.$include)
    assertConfined(target)
    return readFileSync(target, 'utf8')
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = resolveIncludes(v, dir)
  return out
}

function fromDocument(doc: unknown, baseDir: string, fragment: string | undefined): Process {
  if (isObject(doc) && Array.isArray(doc.$graph)) {
    const graph = doc.$graph as Array<Record<string, unknown>>
    const byName = new Map(graph.map((p) => [shortName(text(p.id)), p]))
    const want = fragment ?? 'main'
    const chosen =
      byName.get(want) ?? (fragment === undefined && graph.length === 1 ? graph[0] : undefined)
    if (!chosen) throw new CwlError('invalid', `no process '#${want}' in the $graph`)
    return normalizeProcess(
      { ...chosen, cwlVersion: chosen.cwlVersion ?? doc.cwlVersion },
      baseDir,
      byName,
    )
  }
  if (!isObject(doc)) throw new CwlError('invalid', 'a CWL document is a map')
  if (fragment !== undefined && shortName(text(doc.id)) !== fragment) {
    throw new CwlError('invalid', `no process '#${fragment}' in the document`)
  }
  return normalizeProcess(doc, baseDir, new Map())
}

/** Requirements or hints, list or map form, `$import`ed ones included. */
export function requirementList(raw: unknown): Requirement[] {
  if (Array.isArray(raw)) return raw.filter(isObject) as Requirement[]
  if (isObject(raw)) {
    return Object.entries(raw).map(([cls, v]) => ({ ...(isObject(v) ? v : {}), class: cls }))
  }
  return []
}

/** Inputs, outputs, fields or step ins: list of maps with ids, or a map by id. */
function entries(raw: unknown, key = 'id'): Array<Record<string, unknown>> {
  if (Array.isArray(raw)) {
    return (raw as unknown[]).map((v) => (isObject(v) ? v : { [key]: v }))
  }
  if (isObject(raw)) {
    return Object.entries(raw).map(([id, v]) =>
      isObject(v) && !('class' in v && !('type' in v))
        ? { ...v, [key]: id }
        : { [key]: id, type: v },
    )
  }
  return []
}

function normalizeProcess(
  raw: Record<string, unknown>,
  baseDir: string,
  graph: Map<string, Record<string, unknown>>,
): Process {
  const cls = String(raw.class)
  if (!processClasses.has(cls)) throw new CwlError('invalid', `unknown process class '${cls}'`)
  const version = text(raw.cwlVersion) || 'v1.2'
  if (!/^v1\.[0-2](\.\d+)?$/.test(version)) {
    throw new CwlError('invalid', `cwlVersion ${version} is not supported (v1.0–v1.2 are)`)
  }
  checkVersionFeatures(raw, version)
  const requirements = requirementList(raw.requirements)
  const hints = requirementList(raw.hints)
  const named = new Map<string, CwlType>()
  for (const req of [...requirements, ...hints]) {
    if (req.class !== 'SchemaDefRequirement') continue
    // An `$import`ed file of several types stands in the list as a list of its own.
    for (const t of ((req.types as unknown[]) ?? []).flat()) {
      const def = t as Record<string, unknown>
      const type = normalizeType(def, named)
      named.set(shortName(String(def.name)), type)
    }
  }
  const ownId = shortName(text(raw.id))
  const param = (p: Record<string, unknown>, direction: 'in' | 'out'): Param => {
    const id = shortName(String(p.id))
    const out: Param = {
      ...(p as object),
      id,
      type: normalizeType(p.type ?? 'Any', named),
    }
    if (p.secondaryFiles !== undefined) out.secondaryFiles = secondaryPatterns(p.secondaryFiles)
    if (direction === 'out' && p.outputSource !== undefined) {
      out.outputSource = sources(p.outputSource, ownId)
      out.outputSourceIsList = Array.isArray(p.outputSource)
    }
    return out
  }
  const process: Process = {
    class: cls as Process['class'],
    id: shortName(text(raw.id)) || 'main',
    baseDir,
    inputs: entries(raw.inputs).map((p) => param(p, 'in')),
    outputs: entries(raw.outputs).map((p) => param(p, 'out')),
    requirements,
    hints,
    raw,
    steps: [],
    namespaces: isObject(raw.$namespaces) ? (raw.$namespaces as Record<string, string>) : {},
  }
  if (cls === 'Workflow') {
    process.steps = entries(raw.steps).map((s) => normalizeStep(s, baseDir, graph, ownId))
  }
  return process
}

function normalizeStep(
  raw: Record<string, unknown>,
  baseDir: string,
  graph: Map<string, Record<string, unknown>>,
  workflowId: string,
): Step {
  let run: Process
  if (typeof raw.run === 'string') {
    const ref = raw.run
    const packed = ref.startsWith('#') ? graph.get(shortName(ref)) : undefined
    run = packed
      ? normalizeProcess(packed, baseDir, graph)
      : loadProcess(path.resolve(baseDir, ref))
  } else if (isObject(raw.run)) {
    run = normalizeProcess({ cwlVersion: 'v1.2', ...raw.run }, baseDir, graph)
  } else {
    throw new CwlError('invalid', `step '${String(raw.id)}' has no run`)
  }
  const ins = entries(raw.in, 'id').map((i): StepInput => {
    const value = i
    // `in: {x: source}`: the map's value is the source.
    const src =
      value.source ??
      (typeof value.type === 'string' || Array.isArray(value.type) ? value.type : undefined)
    const input: StepInput = {
      id: shortName(String(value.id)),
      source: src === undefined ? [] : sources(src, workflowId),
      sourceIsList: Array.isArray(src),
    }
    if ('default' in value) input.default = value.default
    if (typeof value.valueFrom === 'string') input.valueFrom = value.valueFrom
    if (typeof value.linkMerge === 'string') input.linkMerge = value.linkMerge
    if (typeof value.pickValue === 'string') input.pickValue = value.pickValue
    if (value.loadContents === true) input.loadContents = true
    return input
  })
  const scatter =
    raw.scatter === undefined
      ? []
      : (Array.isArray(raw.scatter) ? raw.scatter : [raw.scatter]).map((s) => shortName(String(s)))
  return {
    id: shortName(String(raw.id)),
    in: ins,
    out: ((raw.out as unknown[]) ?? []).map((o) => shortName(String(isObject(o) ? o.id : o))),
    run,
    scatter,
    ...(typeof raw.scatterMethod === 'string' ? { scatterMethod: raw.scatterMethod } : {}),
    ...(typeof raw.when === 'string' ? { when: raw.when } : {}),
    requirements: requirementList(raw.requirements),
    hints: requirementList(raw.hints),
  }
}

/**
 * Sources as `step/output` or `input`, whatever prefix they were written with: `#`, a file's
 * URI, or the workflow's own id (`#main/step/output` in a packed file).
 */
function sources(raw: unknown, processId: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw]
  return list.map((s) => {
    const text = String(s)
    let frag = text.includes('#') ? text.slice(text.lastIndexOf('#') + 1) : text
    if (processId && frag.startsWith(`${processId}/`)) frag = frag.slice(processId.length + 1)
    const parts = frag.split('/')
    return parts.length > 2 ? parts.slice(-2).join('/') : frag
  })
}

export function secondaryPatterns(
  raw: unknown,
): Array<{ pattern: string; required?: boolean | string }> {
  const list = Array.isArray(raw) ? raw : [raw]
  return list.map((s) => {
    if (typeof s === 'string') {
      return s.endsWith('?') ? { pattern: s.slice(0, -1), required: false } : { pattern: s }
    }
    const o = s as Record<string, unknown>
    return {
      pattern: String(o.pattern),
      ...(o.required === undefined ? {} : { required: o.required as boolean | string }),
    }
  })
}

/** The requirement of that class in effect: requirements before hints, inner before outer. */
export function findRequirement(
  cls: string,
  ...levels: Array<{ requirements: Requirement[]; hints: Requirement[] } | undefined>
): Requirement | undefined {
  for (const level of levels) {
    const found = level?.requirements.find((r) => r.class === cls)
    if (found) return found
  }
  for (const level of levels) {
    const found = level?.hints.find((r) => r.class === cls)
    if (found) return found
  }
  return undefined
}

/** A format (or any identifier) with its namespace prefix expanded. */
export function expandNamespace(value: unknown, namespaces: Record<string, string>): unknown {
  if (typeof value !== 'string') return value
  const colon = value.indexOf(':')
  if (colon <= 0) return value
  const base = namespaces[value.slice(0, colon)]
  return base === undefined ? value : base + value.slice(colon + 1)
}

/** A record's field seen as a parameter (its bindings, secondary files and format apply). */
export function fieldParam(field: RecordField): Param {
  return {
    ...(field as object),
    id: field.name,
    type: field.type,
    ...(field.secondaryFiles === undefined
      ? {}
      : { secondaryFiles: secondaryPatterns(field.secondaryFiles) }),
  }
}
