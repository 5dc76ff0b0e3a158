/**
 * CWL File and Directory objects: input ones resolved to local paths (locations relative to
 * the input object's folder, `contents` literals and listing-only directories written out),
 * with their derived fields (basename, nameroot, nameext, dirname, size); output ones
 * described with sha1 checksums and, for directories, their listing.
 */
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CwlError } from './errors.js'
import { isObject, text } from './types.js'

export type CwlObject = Record<string, unknown> & { class: 'File' | 'Directory' }

export function isFileLike(v: unknown): v is CwlObject {
  return isObject(v) && (v.class === 'File' || v.class === 'Directory')
}

/** The local path of a location (a path or a file: URI), resolved against `baseDir`. */
export function localPath(location: string, baseDir: string): string {
  if (location.startsWith('file://')) return fileURLToPath(location)
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('/')) {
    throw new CwlError('unsupported', `location ${location}: only local files are supported here`)
  }
  // Locations are URIs: a relative one may be percent-encoded (`A%3AB`, `item%20%231`).
  return path.resolve(baseDir, safeDecode(location))
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Adds the fields derived from a path. */
export function describe(obj: CwlObject, p: string): CwlObject {
  const basename =
    typeof obj.basename === 'string' && obj.basename ? obj.basename : path.basename(p)
  const out: CwlObject = {
    ...obj,
    path: p,
    location: `file://${p}`,
    basename,
    dirname: path.dirname(p),
  }
  if (obj.class === 'File') {
    const dot = basename.lastIndexOf('.')
    out.nameroot = dot > 0 ? basename.slice(0, dot) : basename
    out.nameext = dot > 0 ? basename.slice(dot) : ''
    if (existsSync(p)) out.size = statSync(p).size
  }
  return out
}

/**
 * An input File or Directory made real: a location resolved, a literal written into `staging`.
 * `listing` of directories is filled as `loadListing` asks.
 */
export function resolveInput(
  value: CwlObject,
  baseDir: string,
  staging: string,
  loadListing = 'no_listing',
): CwlObject {
  const given = (value.location ?? value.path) as string | undefined
  // A file of the data federation the server resolved: the engine stages it in under `path`.
  if (given?.startsWith('did:') && typeof value.path === 'string') return value
  let p: string
  if (given) {
    p = localPath(given, baseDir)
    if (!existsSync(p)) throw new CwlError('failed', `input ${value.class} not found: ${given}`)
  } else if (value.class === 'File' && typeof value.contents === 'string') {
    const dir = uniqueDir(staging)
    p = path.join(dir, (value.basename as string | undefined) ?? 'file')
    writeFileSync(p, value.contents)
  } else if (value.class === 'Directory') {
    p = path.join(uniqueDir(staging), (value.basename as string | undefined) ?? 'dir')
    mkdirSync(p, { recursive: true })
    for (const entry of (value.listing as unknown[] | undefined) ?? []) {
      if (!isFileLike(entry)) continue
      const inner = resolveInput(entry, baseDir, staging)
      copyInto(String(inner.path), path.join(p, String(inner.basename)))
    }
    // A literal directory is known by its listing: it keeps it, now with real paths.
    const out = describe(value, p)
    out.listing = listing(p, true)
    return out
  } else {
    throw new CwlError('invalid', `a ${value.class} needs a location, a path or contents`)
  }
  const out = describe(value, p)
  if (Array.isArray(value.secondaryFiles)) {
    out.secondaryFiles = (value.secondaryFiles as unknown[]).map((s) =>
      isFileLike(s) ? resolveInput(s, baseDir, staging) : s,
    )
  }
  if (out.class === 'Directory') {
    if (loadListing === 'no_listing' && !given) delete out.listing
    else if (loadListing !== 'no_listing') out.listing = listing(p, loadListing === 'deep_listing')
    else delete out.listing
  }
  return out
}

let counter = 0
function uniqueDir(root: string): string {
  const dir = path.join(root, `stg${process.pid}-${counter++}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

function copyInto(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true })
    for (const name of readdirSync(from)) copyInto(path.join(from, name), path.join(to, name))
  } else {
    writeFileSync(to, readFileSync(from))
  }
}

/** A directory's entries as CWL objects (deep: with theirs). */
export function listing(dir: string, deep: boolean): CwlObject[] {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const p = path.join(dir, name)
      if (statSync(p).isDirectory()) {
        const d = describe({ class: 'Directory' }, p)
        if (deep) d.listing = listing(p, true)
        return d
      }
      return describe({ class: 'File' }, p)
    })
}

/** An output File or Directory as reported: checksum and size, directories listed deeply. */
export function describeOutput(obj: CwlObject, p: string): CwlObject {
  if (!existsSync(p)) throw new CwlError('failed', `output ${obj.class} does not exist: ${p}`)
  const out = describe(obj, p)
  if (out.class === 'File') {
    out.checksum = `sha1$${createHash('sha1').update(readFileSync(p)).digest('hex')}`
    out.size = statSync(p).size
  } else {
    out.listing = readdirSync(p)
      .sort()
      .map((name) => {
        const child = path.join(p, name)
        const cls = statSync(child).isDirectory() ? 'Directory' : 'File'
        return describeOutput({ class: cls }, child)
      })
  }
  if (Array.isArray(obj.secondaryFiles)) {
    out.secondaryFiles = (obj.secondaryFiles as unknown[]).map((s) =>
      isFileLike(s)
        ? describeOutput(s, localPath(text(s.location) || text(s.path), path.dirname(p)))
        : s,
    )
  }
  return out
}

/** The name a secondary-file pattern gives: `.bai` appended, each `^` strips one extension. */
export function secondaryName(basename: string, pattern: string): string {
  let base = basename
  let rest = pattern
  while (rest.startsWith('^')) {
    const dot = base.lastIndexOf('.')
    if (dot > 0) base = base.slice(0, dot)
    rest = rest.slice(1)
  }
  return base + rest
}

/** `loadContents`: a File with its first bytes read in (a file over 64 KiB is an error). */
export function withContents(file: CwlObject): CwlObject {
  if (file.class !== 'File' || typeof file.path !== 'string') return file
  const bytes = readFileSync(file.path)
  if (bytes.length > 64 * 1024) {
    throw new CwlError('failed', `loadContents: ${String(file.basename)} is larger than 64 KiB`)
  }
  return { ...file, contents: bytes.toString('utf8') }
}

/** A step input's `loadContents`: its File, or each File of its array, read in. */
export function contentsOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(contentsOf)
  return isFileLike(value) ? withContents(value) : value
}

/** A secondary file one secondaryFiles entry names for a primary file. */
export interface SecondaryTarget {
  path: string
  basename: string
  /** Named by a pattern ending in `?`. */
  optional: boolean
}

/**
 * What a secondaryFiles entry gave for `file`: pattern strings (a name beside the primary file),
 * File or Directory objects (taken where they are, under their own basename), or a list of
 * either, as an expression may return.
 */
export function secondaryTargets(result: unknown, file: CwlObject): SecondaryTarget[] {
  const dir = path.dirname(String(file.path))
  const list = Array.isArray(result) ? (result as unknown[]) : [result]
  return list.flatMap((r): SecondaryTarget[] => {
    if (r === null || r === undefined) return []
    if (isFileLike(r)) {
      const p = localPath(text(r.path) || text(r.location), dir)
      return [{ path: p, basename: text(r.basename) || path.basename(p), optional: false }]
    }
    if (typeof r !== 'string') {
      throw new CwlError('invalid', `a secondaryFiles entry gave ${JSON.stringify(r)}`)
    }
    const written = r
    const optional = written.endsWith('?')
    const name = secondaryName(String(file.basename), optional ? written.slice(0, -1) : written)
    return [{ path: path.join(dir, name), basename: name, optional }]
  })
}

/**
 * Files a tool must see under another name than they have on disk (a `basename` changed by an
 * expression, secondary files named apart from where they lie) staged afresh in a folder of
 * their own under `staging`: the primary file under its basename, its secondary files beside
 * it under theirs. Everything else stays where it is.
 */
export function stageRenamed(value: unknown, staging: string): unknown {
  if (Array.isArray(value)) return value.map((v) => stageRenamed(v, staging))
  if (isFileLike(value)) {
    if (typeof value.path !== 'string' || !needsStaging(value)) return value
    const dir = uniqueDir(staging)
    const at = path.join(dir, String(value.basename))
    placeCopy(value.path, at)
    const out = describe(value, at)
    if (Array.isArray(value.secondaryFiles)) {
      out.secondaryFiles = (value.secondaryFiles as unknown[]).map((s) => {
        if (!isFileLike(s) || typeof s.path !== 'string') return s
        const to = path.join(dir, String(s.basename))
        placeCopy(s.path, to)
        return describe(s, to)
      })
    }
    return out
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stageRenamed(v, staging)]))
  }
  return value
}

function needsStaging(file: CwlObject): boolean {
  const p = String(file.path)
  if (path.basename(p) !== file.basename) return true
  const secondary = Array.isArray(file.secondaryFiles) ? (file.secondaryFiles as unknown[]) : []
  return secondary.some(
    (s) =>
      isFileLike(s) &&
      typeof s.path === 'string' &&
      (path.dirname(s.path) !== path.dirname(p) || path.basename(s.path) !== s.basename),
  )
}

/** A hard link where the file system allows it (no copy of the data), else a copy. */
function placeCopy(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    cpSync(from, to, { recursive: true })
    return
  }
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}
