/**
 * InitialWorkDirRequirement: files, folders and literals placed in a tool's output folder
 * before it runs. Entries that are neither text nor files are written as JSON, in the layout
 * of the reference runner (Python's `json.dumps`).
 */
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { type Requirement } from './document.js'
import { CwlError } from './errors.js'
import { describe, isFileLike, localPath, type CwlObject } from './files.js'
import { evaluate, type ExpressionContext, type JsEvaluator } from './param-refs.js'
import { isObject, text } from './types.js'

export interface StagingOptions {
  outdir: string
  /** Folder of the tool's document: where `location`s written in the listing are relative to. */
  baseDir: string
  context: ExpressionContext
  js: JsEvaluator | undefined
  /** A server's staging: files may be copied in only from this folder. */
  confineTo?: string | undefined
  /**
   * InplaceUpdateRequirement: `writable` entries are linked to, not copied, so that what the
   * tool changes in them is changed where they are.
   */
  inplace?: boolean | undefined
}

/** Stages the listing; gives the real paths of the entries linked for in-place update. */
export function stageInitialWorkDir(
  req: Requirement | undefined,
  options: StagingOptions,
): string[] {
  if (!req) return []
  const { outdir, context, js } = options
  const staged = new Map<string, string>()
  const linked: string[] = []
  let writable = false
  const put = (obj: CwlObject, name: string | undefined): void => {
    const from = text(obj.path)
    if (writable && options.inplace && from && options.confineTo === undefined) {
      const target = path.resolve(outdir, name ?? (text(obj.basename) || path.basename(from)))
      mkdirSync(path.dirname(target), { recursive: true })
      symlinkSync(from, target)
      staged.set(from, target)
      linked.push(realpathSync(from))
      return
    }
    place(obj, outdir, name, staged, options.baseDir, options.confineTo)
  }
  const listing = evaluate(req.listing, context, js)
  // Each entry of a listing may be an expression too, giving a File, a Dirent, or a list.
  const items = (Array.isArray(listing) ? (listing as unknown[]) : [listing])
    .map((item): unknown => (typeof item === 'string' ? evaluate(item, context, js) : item))
    .flat()
  for (const item of items) {
    if (item === null || item === undefined) continue
    if (isFileLike(item)) {
      writable = false
      put(item, undefined)
      continue
    }
    if (!isObject(item)) continue
    writable = item.writable === true
    const entryname =
      item.entryname === undefined ? undefined : String(evaluate(item.entryname, context, js))
    if (entryname !== undefined) insideOutdir(outdir, entryname)
    const { value: entry, trailing } = evaluateEntry(item.entry, context, js)
    if (entry === null || entry === undefined) continue
    if (isFileLike(entry)) put(entry, entryname)
    else if (Array.isArray(entry) && entry.length > 0 && entry.every(isFileLike)) {
      // Several files under one entryname: a folder of that name holds them.
      entry.forEach((e) => put(e, entryname && path.join(entryname, text(e.basename))))
    } else {
      if (!entryname) throw new CwlError('invalid', 'an InitialWorkDir entry needs an entryname')
      const content = typeof entry === 'string' ? entry : pythonJson(entry)
      const target = path.resolve(outdir, entryname)
      mkdirSync(path.dirname(target), { recursive: true })
      writeFileSync(target, content + trailing)
    }
  }
  // The tool sees staged inputs where they were staged (`$(inputs.x.path)` is in its folder).
  if (staged.size > 0) context.inputs = restage(context.inputs, staged) as Record<string, unknown>
  return linked
}

/**
 * An entry's value. Whitespace after a lone expression is kept after its value, so that
 * `${ return [...] }` followed by a newline writes the JSON and then the newline.
 */
function evaluateEntry(
  raw: unknown,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): { value: unknown; trailing: string } {
  if (typeof raw !== 'string') return { value: evaluate(raw, context, js), trailing: '' }
  const trailing = /\s*$/.exec(raw)?.[0] ?? ''
  if (trailing === '') return { value: evaluate(raw, context, js), trailing: '' }
  const value = evaluate(raw.slice(0, raw.length - trailing.length), context, js)
  return { value, trailing: value === null || value === undefined ? '' : trailing }
}

/** Without a container, an entryname may not lead outside the output folder. */
function insideOutdir(outdir: string, entryname: string): void {
  const rel = path.relative(outdir, path.resolve(outdir, entryname))
  if (path.isAbsolute(entryname) || rel.startsWith('..')) {
    throw new CwlError(
      'invalid',
      `InitialWorkDir entryname ${entryname} leads outside the output folder`,
    )
  }
}

/** JSON as Python's `json.dumps` writes it: `", "` and `": "` separators, ASCII only. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (isObject(value)) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined)
    return `{${fields.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  }
  return JSON.stringify(value ?? null)
}

function restage(value: unknown, staged: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => restage(v, staged))
  if (isFileLike(value)) {
    const to = staged.get(text(value.path))
    const moved = to ? describe(value, to) : value
    if (Array.isArray(value.secondaryFiles)) {
      moved.secondaryFiles = restage(value.secondaryFiles, staged)
    }
    return moved
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restage(v, staged)]))
  }
  return value
}

function place(
  obj: CwlObject,
  outdir: string,
  name: string | undefined,
  staged: Map<string, string>,
  baseDir: string,
  confineTo?: string,
): void {
  // A File or Directory written in the listing itself has a location, not yet a path.
  const from =
    text(obj.path) || (typeof obj.location === 'string' ? localPath(obj.location, baseDir) : '')
  if (from && confineTo !== undefined) {
    const rel = path.relative(confineTo, path.resolve(from))
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new CwlError('invalid', `InitialWorkDir: ${from} is outside the workflow's folder`)
    }
  }
  const basename = text(obj.basename) || (from ? path.basename(from) : '')
  const target = path.resolve(outdir, name ?? basename)
  if (from) staged.set(from, target)
  mkdirSync(path.dirname(target), { recursive: true })
  if (from && statSync(from).isDirectory()) cpSync(from, target, { recursive: true })
  else if (from) copyFileSync(from, target)
  else if (obj.class === 'Directory') {
    // A Directory literal: a new folder holding its listing.
    mkdirSync(target, { recursive: true })
    const entries = Array.isArray(obj.listing) ? obj.listing : []
    for (const e of entries) {
      if (isFileLike(e)) place(e, target, undefined, staged, baseDir, confineTo)
    }
  } else writeFileSync(target, typeof obj.contents === 'string' ? obj.contents : '')
  // Secondary files go beside their primary file.
  if (Array.isArray(obj.secondaryFiles)) {
    for (const s of obj.secondaryFiles) {
      if (isFileLike(s)) place(s, path.dirname(target), undefined, staged, baseDir, confineTo)
    }
  }
}
