/**
 * The parse thread's body (see catalog-parse-thread.ts): one file per message — a catalogue
 * file parsed and checked, or a GLUE 2.0 file mapped — and plain data back.
 */
import { parentPort } from 'node:worker_threads'
import type { ImportError } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { parseCatalogFile, type LocatedRecord } from './catalog-file-parse.js'
import { mapGlueFile } from './glue2-map.js'

export interface ParseRequest {
  id: number
  kind: 'catalog' | 'glue'
  path: string
  content: string
}

export type ParsedCatalogFile = {
  path: string
  locations: Map<string, [number, number]>
  records: Array<Omit<LocatedRecord, 'file'>>
  errors: ImportError[]
}

export type ParseReply =
  | { id: number; ok: true; catalog: ParsedCatalogFile }
  | { id: number; ok: true; glue: ReturnType<typeof mapGlueFile> }
  | {
      id: number
      ok: false
      code?: string | undefined
      message: string
      details?: Record<string, unknown> | undefined
    }

function parse(request: ParseRequest): ParseReply {
  if (request.kind === 'glue') {
    return { id: request.id, ok: true, glue: mapGlueFile(request.path, request.content) }
  }
  const { file, records, errors } = parseCatalogFile(request.path, request.content)
  return {
    id: request.id,
    ok: true,
    catalog: {
      path: file.path,
      locations: file.locations,
      records: records.map(({ key, index, value }) => ({ key, index, value })),
      errors,
    },
  }
}

parentPort?.on('message', (request: ParseRequest) => {
  let reply: ParseReply
  try {
    reply = parse(request)
  } catch (err) {
    reply =
      err instanceof ContinuumError
        ? { id: request.id, ok: false, code: err.code, message: err.message, details: err.details }
        : { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) }
  }
  parentPort?.postMessage(reply)
})
