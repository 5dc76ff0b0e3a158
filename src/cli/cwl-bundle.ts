/**
 * `continuum workflow run tool-or-workflow.cwl job.yml`: the CLI side of a CWL submission. The
 * server reads nothing from this machine, so the bundle travels with the submission: the
 * document, every document it names (`run:`, `$import`, `$include`, file `location`s in it),
 * and the files and folders the input object names, all relative to the folder holding both
 * the document and the input object; the input object is sent with its locations made relative
 * to that folder. Afterwards, the output object's files are fetched into `--outdir`.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import type { ContinuumClient } from '../client/index.js'
import type { WorkflowFile } from '../contract/index.js'
import { ContinuumError } from '../platform/browser.js'
import { fetchFiles } from './workflow-files.js'

export interface CwlBundle {
  /** The main document's path in the bundle, with its `#fragment` if given. */
  filename: string
  source: string
  files: WorkflowFile[]
  job: string
}

const isRemote = (loc: string) => /^[a-z][a-z0-9+.-]*:/i.test(loc) && !loc.startsWith('file:')
const local = (loc: string) => (loc.startsWith('file://') ? decodeURIComponent(loc.slice(7)) : loc)

export function cwlBundle(file: string, jobFile: string | undefined): CwlBundle {
  const [doc, fragment] = file.split('#') as [string, string?]
  const docPath = path.resolve(doc)
  const jobPath = jobFile === undefined ? undefined : path.resolve(jobFile)
  const folder = commonFolder([path.dirname(docPath), ...(jobPath ? [path.dirname(jobPath)] : [])])
  const files = new Map<string, WorkflowFile>()
  const add = (full: string, why: string) => {
    const rel = path.relative(folder, full)
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new ContinuumError('INVALID_ARGUMENT', `${why} ${full} is outside ${folder}`, {
        path: full,
      })
    }
    if (files.has(rel)) return rel
    const stat = lstatSync(full, { throwIfNoEntry: false })
    if (!stat) {
      throw new ContinuumError('INVALID_ARGUMENT', `${why} ${full} does not exist`, { path: full })
    }
    if (stat.isDirectory()) {
      for (const e of readdirSync(full)) add(path.join(full, e), why)
      return rel
    }
    if (!stat.isFile()) {
      throw new ContinuumError('INVALID_ARGUMENT', `${why} ${full} is not a regular file`, {
        path: full,
      })
    }
    files.set(rel, { path: rel, content: readFileSync(full).toString('base64') })
    return rel
  }
  const addDocument = (full: string) => {
    const rel = path.relative(folder, full)
    if (files.has(rel)) return
    add(full, 'document')
    let parsed: unknown
    try {
      parsed = parse(readFileSync(full, 'utf8'), { maxAliasCount: 100 }) as unknown
    } catch {
      return // the server says what is wrong with it, with the line
    }
    for (const ref of references(parsed)) {
      const target = path.resolve(path.dirname(full), local(ref.split('#')[0] as string))
      if (/\.(cwl|ya?ml|json)$/.test(target)) addDocument(target)
      else add(target, 'file')
    }
  }
  addDocument(docPath)
  let job: unknown = {}
  if (jobPath) {
    try {
      job = parse(readFileSync(jobPath, 'utf8'), { maxAliasCount: 100 }) as unknown
    } catch (err) {
      throw new ContinuumError(
        'INVALID_ARGUMENT',
        `cannot read ${jobFile}: ${(err as Error).message}`,
        {
          file: jobFile,
        },
      )
    }
  }
  const relocate = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(relocate)
    if (v === null || typeof v !== 'object') return v
    const o = { ...(v as Record<string, unknown>) }
    const loc = o.location ?? o.path
    if (
      (o.class === 'File' || o.class === 'Directory') &&
      typeof loc === 'string' &&
      !isRemote(loc)
    ) {
      o.location = add(path.resolve(path.dirname(jobPath!), local(loc)), 'input')
      delete o.path
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'location') o[k] = relocate(x)
    return o
  }
  const main = path.relative(folder, docPath)
  // Relocating the input object adds the files it names: before the list is taken.
  const jobText = JSON.stringify(relocate(job))
  return {
    filename: fragment ? `${main}#${fragment}` : main,
    source: readFileSync(docPath, 'utf8'),
    files: [...files.values()],
    job: jobText,
  }
}

/** String values naming other files in a document: `run`, `$import`, `$include`, `location`. */
function references(doc: unknown): string[] {
  const found: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (v === null || typeof v !== 'object') return
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const named = k === 'run' || k === '$import' || k === '$include' || k === 'location'
      if (
        named &&
        typeof x === 'string' &&
        !isRemote(x) &&
        !x.startsWith('#') &&
        !x.includes('$(')
      ) {
        found.push(x)
      } else walk(x)
    }
  }
  walk(doc)
  return found
}

function commonFolder(dirs: string[]): string {
  let common = dirs[0] as string
  for (const d of dirs.slice(1)) {
    const inside = () =>
      d === common || d.startsWith(common.endsWith(path.sep) ? common : `${common}${path.sep}`)
    while (!inside()) common = path.dirname(common)
  }
  return common
}

/** The output object's files written into `outdir`, their locations made local paths there. */
export async function fetchCwlOutput(
  client: ContinuumClient,
  id: string,
  outdir: string,
): Promise<Record<string, unknown>> {
  const { output } = await client.workflows.cwlOutput(id)
  const wanted = new Set<string>()
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(collect)
    if (v === null || typeof v !== 'object') return
    const o = v as Record<string, unknown>
    if (o.class === 'File' && typeof o.path === 'string') wanted.add(o.path)
    Object.values(o).forEach(collect)
  }
  collect(output)
  await fetchFiles(client, id, [...wanted], outdir)
  const localize = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(localize)
    if (v === null || typeof v !== 'object') return v
    const o = { ...(v as Record<string, unknown>) }
    if ((o.class === 'File' || o.class === 'Directory') && typeof o.path === 'string') {
      o.path = path.resolve(outdir, o.path)
      // A file registered into the federation keeps its identifier; its copy is in outdir.
      const did = typeof o.location === 'string' && o.location.startsWith('did:')
      if (!did) o.location = `file://${o.path as string}`
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'path' && k !== 'location') o[k] = localize(x)
    return o
  }
  return localize(output) as Record<string, unknown>
}
