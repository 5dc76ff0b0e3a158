/**
 * CWL Files from the data federation (issue 19, part 3): a `File` whose `location` (or `path`)
 * is `did:scope:name` — in the input object or as an input's default — becomes a federation
 * input of the tasks that read it. At submission the caller's policies are asked whether they
 * may read each scope, then the catalogue whether each file exists; the File is given the local
 * path the engine's stage-in links the file under (`<workflow folder>/<name>`), its name as
 * basename, and its size and adler32 from the catalogue. A `Directory` naming a dataset
 * `did:scope:dataset` stands for the dataset's files: it becomes a File[] (given to a `File[]`
 * input, or spliced into an array of Files). Each planned task then carries the identifiers its
 * element reads, so the broker weighs their locality and stage-in brings them near its site.
 */
import path from 'node:path'
import { getDid, listContent, parseDid } from '../data/index.js'
import {
  CwlError,
  scatterElements,
  stepSourceValues,
  type Process,
  type Step,
} from '../cwl/index.js'
import type { Context } from '../db/index.js'
import type { Did } from '../contract/index.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** The `did:` a File or Directory names, or undefined. */
function didOf(v: unknown): string | undefined {
  if (!isObject(v) || (v.class !== 'File' && v.class !== 'Directory')) return undefined
  const loc = typeof v.location === 'string' ? v.location : v.path
  return typeof loc === 'string' && loc.startsWith('did:') ? loc : undefined
}

/** Every `did:` File or Directory in a value (arrays and records included). */
function collectDids(value: unknown, into: Set<string>): void {
  const did = didOf(value)
  if (did !== undefined) {
    into.add(did)
    return
  }
  if (Array.isArray(value)) value.forEach((v) => collectDids(v, into))
  else if (isObject(value)) Object.values(value).forEach((v) => collectDids(v, into))
}

function parsed(did: string): { scope: string; name: string } {
  try {
    return parseDid(did.slice(4))
  } catch (err) {
    throw new CwlError('invalid', `${did}: ${(err as Error).message}`)
  }
}

/** The scopes the input object and the inputs' defaults read from the federation. */
export function federationReads(process: Process, job: Record<string, unknown>): string[] {
  const dids = new Set<string>()
  collectDids(job, dids)
  for (const p of process.inputs) if (job[p.id] === undefined) collectDids(p.default, dids)
  return [...new Set([...dids].map((d) => parsed(d).scope))]
}

/** A catalogue file as the CWL File a tool sees once stage-in has linked it into the folder. */
function asFile(did: Did, workdir: string): Record<string, unknown> {
  const p = path.join(workdir, did.name)
  const dot = did.name.lastIndexOf('.')
  return {
    class: 'File',
    location: `did:${did.scope}:${did.name}`,
    path: p,
    basename: did.name,
    dirname: workdir,
    nameroot: dot > 0 ? did.name.slice(0, dot) : did.name,
    nameext: dot > 0 ? did.name.slice(dot) : '',
    ...(did.bytes === null ? {} : { size: did.bytes }),
    ...(did.adler32 === null ? {} : { checksum: `adler32$${did.adler32}` }),
  }
}

/** The files directly in a dataset, in name order (at most `max`). */
async function datasetFiles(ctx: Context, ref: { scope: string; name: string }, max: number) {
  const out: Did[] = []
  let cursor: string | undefined
  do {
    const page = await listContent(ctx, ref, {
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    })
    out.push(...page.items.filter((d) => d.type === 'file'))
    cursor = page.next ?? undefined
  } while (cursor !== undefined && out.length <= max)
  if (out.length > max) {
    throw new CwlError('invalid', `dataset ${ref.scope}:${ref.name} holds more than ${max} files`)
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * The input object with every `did:` File and dataset Directory made a File the engine stages
 * in (defaults naming the federation are moved into it). Reads the catalogue as the caller:
 * an unknown identifier is DID_NOT_FOUND, a file given where a dataset is meant (or the other
 * way round) invalid. Call it only once the caller may read the scopes (federationReads).
 */
export async function resolveFederationFiles(
  ctx: Context,
  process: Process,
  job: Record<string, unknown>,
  workdir: string,
  maxFiles: number,
): Promise<Record<string, unknown>> {
  const resolve = async (v: unknown): Promise<unknown> => {
    const did = didOf(v)
    if (did !== undefined) {
      const ref = parsed(did)
      const found = await getDid(ctx, ref)
      const o = v as Record<string, unknown>
      if (o.class === 'File') {
        if (found.type !== 'file') {
          throw new CwlError(
            'invalid',
            `${did} is a ${found.type}: name a dataset with class: Directory, given to a File[] input`,
          )
        }
        return asFile(found, workdir)
      }
      if (found.type === 'file') {
        throw new CwlError('invalid', `${did} is a file: give it as class: File`)
      }
      return (await datasetFiles(ctx, ref, maxFiles)).map((f) => asFile(f, workdir))
    }
    if (Array.isArray(v)) {
      const items: unknown[] = []
      for (const item of v) {
        const r = await resolve(item)
        // A dataset inside an array of Files stands for its files, in place.
        if (didOf(item) !== undefined && Array.isArray(r)) items.push(...(r as unknown[]))
        else items.push(r)
      }
      return items
    }
    if (isObject(v)) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = await resolve(x)
      return out
    }
    return v
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(job)) out[k] = await resolve(v)
  for (const p of process.inputs) {
    if (out[p.id] !== undefined && out[p.id] !== null) continue
    const fromDefault = new Set<string>()
    collectDids(p.default, fromDefault)
    if (fromDefault.size > 0) out[p.id] = await resolve(p.default)
  }
  return out
}

/** The `did:` identifiers a value holds (File locations the resolver set). */
export function didsIn(value: unknown): string[] {
  const found = new Set<string>()
  collectDids(value, found)
  return [...found]
}

/**
 * The identifiers a planned task reads from the workflow's inputs: its scatter element's, or
 * the whole step's (values from upstream steps are not known yet, and name no identifier here).
 */
export function taskDids(
  step: Step,
  inputs: Record<string, unknown>,
  element: number | null,
): string[] {
  const raw = stepSourceValues(step, (source) =>
    source.includes('/') ? null : (inputs[source] ?? null),
  )
  if (element === null) return didsIn(raw)
  return didsIn(scatterElements(step, raw).combos[element] ?? {})
}

/** Where stage-in links a federation file: its name, relative to the workflow's folder. */
export function stagedName(did: string): string {
  return did.slice(did.indexOf(':', 4) + 1)
}
