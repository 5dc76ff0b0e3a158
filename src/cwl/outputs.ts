/**
 * A CommandLineTool's outputs: `cwl.output.json` when the tool wrote one, else each output by
 * its binding — stdout/stderr files, globs (sorted), loadContents (64 KiB at most),
 * outputEval — shaped to the declared type, with secondary files, formats and checksums.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { expandNamespace, fieldParam, type Param, type Process } from './document.js'
import { CwlError } from './errors.js'
import { describeOutput, isFileLike, localPath, secondaryTargets, type CwlObject } from './files.js'
import { glob } from './glob.js'
import { evaluate, type ExpressionContext, type JsEvaluator } from './param-refs.js'
import { isOptional, matches, text, type CwlType } from './types.js'

const maxContents = 64 * 1024

export function collectOutputs(
  tool: Process,
  outdir: string,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
  streams: { stdout?: string | undefined; stderr?: string | undefined },
  /** Real paths of InitialWorkDir entries linked for in-place update: outputs may be them. */
  linked: readonly string[] = [],
): Record<string, unknown> {
  const custom = path.join(outdir, 'cwl.output.json')
  if (existsSync(custom)) {
    const written = JSON.parse(readFileSync(custom, 'utf8')) as Record<string, unknown>
    return Object.fromEntries(
      tool.outputs.map((o) => [
        o.id,
        finalize(written[o.id] ?? null, outdir, inputPaths(context.inputs)),
      ]),
    )
  }
  const out: Record<string, unknown> = {}
  for (const param of tool.outputs) {
    out[param.id] = collectOne(param, outdir, context, js, streams, tool.namespaces, linked)
  }
  return out
}

/**
 * Files in a tool's own output object made whole (locations relative to the output folder).
 * They lie in the output folder, or are the tool's inputs handed through.
 */
function finalize(value: unknown, outdir: string, inputs: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => finalize(v, outdir, inputs))
  if (isFileLike(value)) {
    const p = localPath(String(value.location ?? value.path), outdir)
    return describeOutput(value, inputs.has(p) ? p : insideOutdir(outdir, p))
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, finalize(v, outdir, inputs)]),
    )
  }
  return value
}

/** Files and directories an expression gave without a checksum or listing, described. */
function describeMadeUp(value: unknown, outdir: string, inputs: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => describeMadeUp(v, outdir, inputs))
  if (isFileLike(value)) {
    const where = text(value.location) || text(value.path)
    const described = value.class === 'File' ? 'checksum' in value : 'listing' in value
    return where && !described ? finalize(value, outdir, inputs) : value
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, describeMadeUp(v, outdir, inputs)]),
    )
  }
  return value
}

function collectOne(
  param: Param,
  outdir: string,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
  streams: { stdout?: string | undefined; stderr?: string | undefined },
  namespaces: Record<string, string>,
  linked: readonly string[],
): unknown {
  const record = recordType(param.type)
  if (record && !param.outputBinding) {
    // A record output without a binding of its own: each field is collected as an output.
    return Object.fromEntries(
      record.fields.map((f) => [
        f.name,
        collectOne(fieldParam(f), outdir, context, js, streams, namespaces, linked),
      ]),
    )
  }
  if (param.type === 'stdout' || param.type === 'stderr') {
    const name = param.type === 'stdout' ? streams.stdout : streams.stderr
    return describeOutput({ class: 'File' }, path.resolve(outdir, name!))
  }
  const binding = param.outputBinding
  let value: unknown = null
  if (binding) {
    let files: CwlObject[] = []
    if (binding.glob !== undefined) {
      const patterns = evaluate(binding.glob, context, js)
      const list = (Array.isArray(patterns) ? patterns : [patterns]).filter((p) => p !== null)
      files = list
        .flatMap((p) => glob(outdir, String(p)))
        .map((p) => insideOutdir(outdir, p, linked))
        .map((p) => {
          const cls = statSync(p).isDirectory() ? 'Directory' : 'File'
          const obj = describeOutput({ class: cls }, p)
          if ((binding.loadContents || param.loadContents) && cls === 'File') {
            if ((obj.size as number) > maxContents) {
              throw new CwlError('failed', `loadContents: ${p} is larger than 64 KiB`)
            }
            obj.contents = readFileSync(p, 'utf8')
          }
          return obj
        })
    }
    value = files
    if (binding.outputEval !== undefined) {
      value = evaluate(binding.outputEval, { ...context, self: files }, js)
      // Files it made up from a path or location are described like globbed ones.
      value = describeMadeUp(value, outdir, inputPaths(context.inputs))
    } else {
      value = shape(param.type, files)
    }
  }
  value = withSecondaryFiles(param, value, outdir, context, js)
  if (param.format !== undefined) {
    value = withFormat(value, expandNamespace(evaluate(param.format, context, js), namespaces))
  }
  if (value === undefined) value = null
  if (!matches(param.type, value) && !(value === null && isOptional(param.type))) {
    throw new CwlError(
      'failed',
      `output '${param.id}' is ${JSON.stringify(value)}, not of its declared type`,
    )
  }
  return value
}

/**
 * A collected output must lie in the tool's output folder once links are followed: a tool
 * cannot hand back the host's files by linking to them (`ln -s /etc/passwd out`).
 */
function insideOutdir(outdir: string, p: string, linked: readonly string[] = []): string {
  if (!existsSync(p)) return p // reported as missing where it is described
  const root = realpathSync(outdir)
  const real = realpathSync(p)
  // An entry updated in place is reported as what it is: the staged file or folder itself.
  if (linked.some((l) => real === l || real.startsWith(l + path.sep))) return real
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new CwlError(
      'failed',
      `output ${path.relative(outdir, p)} leads outside the output folder`,
    )
  }
  return p
}

/** The paths of every File and Directory among the inputs (records and arrays included). */
function inputPaths(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) inputPaths(v, into)
  else if (isFileLike(value)) {
    if (typeof value.path === 'string') into.add(value.path)
    inputPaths(value.secondaryFiles, into)
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) inputPaths(v, into)
  }
  return into
}

function recordType(type: CwlType): Extract<CwlType, { type: 'record' }> | undefined {
  const members = Array.isArray(type) ? type : [type]
  return members.find(
    (t): t is Extract<CwlType, { type: 'record' }> =>
      typeof t === 'object' && !Array.isArray(t) && t.type === 'record',
  )
}

/** Globbed files as the declared type wants them: one (the first) or the list. */
function shape(type: CwlType, files: CwlObject[]): unknown {
  const wantsList = (t: CwlType): boolean =>
    Array.isArray(t) ? t.some(wantsList) : typeof t === 'object' && t.type === 'array'
  const wantsOne = (t: CwlType): boolean =>
    Array.isArray(t) ? t.some(wantsOne) : t === 'File' || t === 'Directory' || t === 'Any'
  if (wantsList(type) && !(wantsOne(type) && files.length === 1 && !Array.isArray(type))) {
    return files
  }
  if (wantsOne(type)) return files[0] ?? null
  return files
}

function withSecondaryFiles(
  param: Param,
  value: unknown,
  outdir: string,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): unknown {
  if (!param.secondaryFiles) return value
  const add = (file: unknown): unknown => {
    if (!isFileLike(file) || file.class !== 'File') return file
    const found: CwlObject[] = []
    for (const s of param.secondaryFiles!) {
      const self = { ...context, self: file }
      for (const target of secondaryTargets(evaluate(s.pattern, self, js), file)) {
        const p = insideOutdir(outdir, target.path)
        if (existsSync(p)) {
          const cls = statSync(p).isDirectory() ? 'Directory' : 'File'
          found.push(describeOutput({ class: cls, basename: target.basename }, p))
        } else if (!target.optional && evaluate(s.required ?? false, self, js) === true) {
          throw new CwlError(
            'failed',
            `missing secondary file ${target.basename} of ${String(file.basename)}`,
          )
        }
      }
    }
    return { ...file, secondaryFiles: found }
  }
  return Array.isArray(value) ? value.map(add) : add(value)
}

function withFormat(value: unknown, format: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withFormat(v, format))
  return isFileLike(value) && format !== null && format !== undefined ? { ...value, format } : value
}
