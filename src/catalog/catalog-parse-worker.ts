/** The parse thread's body (see catalog-parse-thread.ts): one file per message, plain data back. */
import { parentPort } from 'node:worker_threads'
import type { ImportError } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { parseCatalogFile, type LocatedRecord } from './catalog-file-parse.js'

export interface ParseRequest {
  id: number
  path: string
  content: string
}

export type ParseReply =
  | {
      id: number
      ok: true
      path: string
      locations: Map<string, [number, number]>
      records: Array<Omit<LocatedRecord, 'file'>>
      errors: ImportError[]
    }
  | {
      id: number
      ok: false
      code?: string | undefined
      message: string
      details?: Record<string, unknown> | undefined
    }

parentPort?.on('message', (request: ParseRequest) => {
  let reply: ParseReply
  try {
    const { file, records, errors } = parseCatalogFile(request.path, request.content)
    reply = {
      id: request.id,
      ok: true,
      path: file.path,
      locations: file.locations,
      records: records.map(({ key, index, value }) => ({ key, index, value })),
      errors,
    }
  } catch (err) {
    reply =
      err instanceof ContinuumError
        ? { id: request.id, ok: false, code: err.code, message: err.message, details: err.details }
        : { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) }
  }
  parentPort?.postMessage(reply)
})
