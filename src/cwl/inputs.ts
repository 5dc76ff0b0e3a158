/**
 * An input object made ready for a process: defaults filled, every value checked against its
 * declared type, File and Directory values resolved to local paths (relative locations against
 * the input object's folder, defaults against the document's), secondary files found,
 * `loadContents` read and directory listings loaded as `loadListing` asks.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import {
  expandNamespace,
  findRequirement,
  fieldParam,
  type Param,
  type Process,
  type Requirement,
} from './document.js'
import { CwlError } from './errors.js'
import { checkFormat, loadOntology, type Ontology } from './formats.js'
import {
  describe,
  isFileLike,
  resolveInput,
  secondaryTargets,
  withContents,
  type CwlObject,
} from './files.js'
import { evaluate, type JsEvaluator } from './param-refs.js'
import { isObject, isOptional, matches, memberFor, type CwlType } from './types.js'

export interface InputOptions {
  /** Where relative locations of the input object resolve. */
  baseDir: string
  /** Where literals (`contents`, listing-only directories) are written. */
  staging: string
  outer: Array<{ requirements: Requirement[]; hints: Requirement[] }>
  js?: JsEvaluator | undefined
  /**
   * Secondary files are looked for beside their file only in the input object a run starts
   * with; inside a workflow they travel with the value, as declared upstream.
   */
  discoverSecondary: boolean
}

export function prepareInputs(
  process: Process,
  given: Record<string, unknown>,
  options: InputOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const listingReq = findRequirement('LoadListingRequirement', process, ...options.outer)
  for (const param of process.inputs) {
    let value = given[param.id]
    let baseDir = options.baseDir
    if ((value === undefined || value === null) && param.default !== undefined) {
      value = param.default
      baseDir = process.baseDir
    }
    if (value === undefined) value = null
    if (!matches(param.type, value) && !(value === null && isOptional(param.type))) {
      throw new CwlError(
        'invalid',
        `input '${param.id}': ${JSON.stringify(value)} is not of its type ${JSON.stringify(param.type)}`,
      )
    }
    const loadListing =
      param.loadListing ?? (listingReq?.loadListing as string | undefined) ?? 'no_listing'
    out[param.id] = resolveValue(value, param.type, baseDir, options.staging, loadListing)
  }
  let ontology: Ontology | undefined
  for (const param of process.inputs) {
    out[param.id] = finishParam(param, out[param.id], out, {
      ...options,
      namespaces: process.namespaces,
      // Read only when a File's format is to be checked.
      ontology: () => (ontology ??= loadOntology(process.raw.$schemas, process.baseDir)),
    })
  }
  return out
}

/** Files and directories inside a value (records and arrays included) made real. */
function resolveValue(
  value: unknown,
  type: CwlType,
  baseDir: string,
  staging: string,
  loadListing: string,
): unknown {
  if (isFileLike(value)) return resolveInput(value, baseDir, staging, loadListing)
  if (Array.isArray(value)) {
    const member = memberFor(type, value)
    const items =
      typeof member === 'object' && !Array.isArray(member) && member.type === 'array'
        ? member.items
        : 'Any'
    return value.map((v) => resolveValue(v, items, baseDir, staging, loadListing))
  }
  if (isObject(value)) {
    const member = memberFor(type, value)
    const fields =
      typeof member === 'object' && !Array.isArray(member) && member.type === 'record'
        ? member.fields
        : []
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const field = fields.find((f) => f.name === k)
      out[k] = resolveValue(v, field?.type ?? 'Any', baseDir, staging, loadListing)
    }
    return out
  }
  return value
}

/** secondaryFiles, format and loadContents of one input, once all inputs are known. */
function finishParam(
  param: Param,
  value: unknown,
  inputs: Record<string, unknown>,
  options: InputOptions & { namespaces: Record<string, string>; ontology: () => Ontology },
): unknown {
  const apply = (v: unknown): unknown => {
    if (isObject(v) && !isFileLike(v)) {
      // A record: its fields may ask for secondary files and formats too.
      const member = memberFor(param.type, v)
      const fields =
        typeof member === 'object' && !Array.isArray(member) && member.type === 'record'
          ? member.fields
          : []
      const out: Record<string, unknown> = { ...v }
      for (const f of fields) {
        out[f.name] = finishParam(fieldParam(f), v[f.name], inputs, options)
      }
      return out
    }
    if (!isFileLike(v) || v.class !== 'File') return v
    let file: CwlObject = v
    if (param.loadContents || param.inputBinding?.loadContents) {
      file = withContents(file)
    }
    if (param.format !== undefined) {
      const f = evaluate(param.format, { inputs, self: file, runtime: {} }, options.js)
      const allowed = Array.isArray(f)
        ? f.map((x) => expandNamespace(x, options.namespaces))
        : expandNamespace(f, options.namespaces)
      if (file.format === undefined) {
        if (typeof allowed === 'string') file = { ...file, format: allowed }
      } else {
        const given = { ...file, format: expandNamespace(file.format, options.namespaces) }
        checkFormat(given, allowed, options.ontology(), param.id)
      }
    }
    if (param.secondaryFiles) {
      file = { ...file, secondaryFiles: secondary(param, file, inputs, options) }
    }
    return file
  }
  return Array.isArray(value) ? value.map(apply) : apply(value)
}

function secondary(
  param: Param,
  file: CwlObject,
  inputs: Record<string, unknown>,
  options: InputOptions,
): CwlObject[] {
  const given = Array.isArray(file.secondaryFiles) ? (file.secondaryFiles as CwlObject[]) : []
  const found = [...given]
  for (const s of param.secondaryFiles!) {
    const self = { inputs, self: file, runtime: {} }
    const result = evaluate(s.pattern, self, options.js)
    for (const target of secondaryTargets(result, file)) {
      if (found.some((g) => g.basename === target.basename)) continue
      // Named by an expression as an object: taken where it is, under the name it was given.
      const named = target.basename !== path.basename(target.path)
      if ((options.discoverSecondary || named) && existsSync(target.path)) {
        const cls = statSync(target.path).isDirectory() ? 'Directory' : 'File'
        found.push(describe({ class: cls, basename: target.basename }, target.path))
        continue
      }
      if (!target.optional && evaluate(s.required ?? true, self, options.js) !== false) {
        throw new CwlError(
          'invalid',
          `input '${param.id}': missing secondary file ${target.basename}`,
        )
      }
    }
  }
  return found
}
