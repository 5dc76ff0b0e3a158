/**
 * Catalogue files parsed off the main thread. YAML parsing and schema checking are linear in a
 * file's size, about a millisecond per KiB here: a 512 KiB file held the event loop for a third
 * of a second or more, and every request waited (issue 16 asks for at most ~50 ms). A file
 * larger than `inlineBytes` is therefore parsed on one parse thread, which returns plain data
 * (records, errors and the file's location index; for a GLUE 2.0 file, its mapping); smaller
 * ones, like the shipped landscape, are parsed in place, where starting a thread would cost
 * more than the parse.
 */
import { Worker } from 'node:worker_threads'
import { ContinuumError, type ErrorCode } from '../platform/index.js'
import { parseCatalogFile } from './catalog-file-parse.js'
import type { ParseReply, ParseRequest } from './catalog-parse-worker.js'
import { mapGlueFile } from './glue2-map.js'

/** Files up to this size are parsed in place (about 30 ms at most here). */
export const inlineBytes = 32 * 1024

type Parsed = ReturnType<typeof parseCatalogFile>
type Mapped = ReturnType<typeof mapGlueFile>

// Workers do not inherit tsx from `--import` or `register()`: from the sources, the thread
// registers it before loading its TypeScript body; the compiled build loads its .js.
const fromSource = import.meta.url.endsWith('.ts')
const body = new URL(
  fromSource ? './catalog-parse-worker.ts' : './catalog-parse-worker.js',
  import.meta.url,
).href
const bootstrap = fromSource
  ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(body)}) })`
  : `import(${JSON.stringify(body)})`

interface Job {
  id: number
  resolve: (reply: ParseReply & { ok: true }) => void
  reject: (err: Error) => void
}

/** Files parsed on the parse thread so far (for tests and operators). */
export let filesParsedOffThread = 0

let thread: Worker | undefined
const jobs = new Map<number, Job>()
let nextId = 1

export async function parseCatalogFileOffThread(path: string, content: string): Promise<Parsed> {
  if (Buffer.byteLength(content) <= inlineBytes) return parseCatalogFile(path, content)
  const reply = await onParseThread({ kind: 'catalog', path, content })
  if (!('catalog' in reply)) throw new Error('the parse thread answered another question')
  filesParsedOffThread++
  const file = { path: reply.catalog.path, locations: reply.catalog.locations }
  const records = reply.catalog.records.map((r) => ({ ...r, file }))
  return { file, records, errors: reply.catalog.errors }
}

/** A GLUE 2.0 file read and mapped (glue2-map.ts), on the parse thread when it is large. */
export async function mapGlueFileOffThread(path: string, content: string): Promise<Mapped> {
  if (Buffer.byteLength(content) <= inlineBytes) return mapGlueFile(path, content)
  const reply = await onParseThread({ kind: 'glue', path, content })
  if (!('glue' in reply)) throw new Error('the parse thread answered another question')
  filesParsedOffThread++
  return reply.glue
}

function onParseThread(request: Omit<ParseRequest, 'id'>): Promise<ParseReply & { ok: true }> {
  return new Promise((resolve, reject) => {
    const id = nextId++
    jobs.set(id, { id, resolve, reject })
    const worker = parseThread()
    worker.ref()
    worker.postMessage({ ...request, id } satisfies ParseRequest)
  })
}

function parseThread(): Worker {
  if (thread) return thread
  const worker = new Worker(bootstrap, { eval: true })
  let failure: Error | undefined
  worker.on('message', (reply: ParseReply) => {
    const job = jobs.get(reply.id)
    if (!job) return
    jobs.delete(reply.id)
    // An idle thread does not keep the process alive.
    if (jobs.size === 0) worker.unref()
    if (reply.ok) job.resolve(reply)
    else if (reply.code) {
      job.reject(new ContinuumError(reply.code as ErrorCode, reply.message, reply.details ?? {}))
    } else job.reject(new Error(reply.message))
  })
  worker.on('error', (err) => (failure = err))
  worker.on('exit', (code) => {
    thread = undefined
    const err = failure ?? new Error(`the catalogue parse thread exited with code ${code}`)
    for (const job of jobs.values()) job.reject(err)
    jobs.clear()
  })
  thread = worker
  return worker
}
