/**
 * One access-log line per request, in the same JSON shape and stream as the rest of the logs.
 * It is written directly rather than through pino's formatting pipeline: that pipeline cost
 * 13 µs per request, more than all the rest of the API's own work (see BENCHMARKS.md).
 * Query-string values of secret-named parameters (e.g. `access_token`) are censored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pino } from 'pino'
import { secretKeys, type Logger } from '../platform/index.js'

interface Writable {
  write(line: string): unknown
}

export interface AccessLog {
  (request: FastifyRequest, reply: FastifyReply): void
  /** Writes buffered lines now (on shutdown). */
  flush(): void
}

/** Buffered lines are written at least this often, and at once past FLUSH_BYTES. */
const FLUSH_MS = 50
const FLUSH_CHARS = 16 * 1024

export function createAccessLog(logger: Logger): AccessLog {
  const stream = (logger as unknown as Record<symbol, Writable | undefined>)[pino.symbols.streamSym]
  const prefix = `{"level":30,"pid":${process.pid},"name":"continuum","msg":"request"`
  // Lines are written in batches: one write per batch, not per request.
  let pending: string[] = []
  let chars = 0
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const lines = pending
    pending = []
    chars = 0
    stream?.write(lines.join(''))
  }
  let lastMs = 0
  let lastIso = ''
  const log = (request: FastifyRequest, reply: FastifyReply) => {
    if (!stream || !(request.log as Logger).isLevelEnabled('info')) return
    const now = Date.now()
    if (now !== lastMs) {
      lastMs = now
      lastIso = new Date(now).toISOString()
    }
    const line = `${prefix},"time":"${lastIso}","reqId":${JSON.stringify(request.id)},"method":"${request.method}","url":${JSON.stringify(censorQuery(request.url))},"status":${reply.statusCode},"ms":${Math.round(reply.elapsedTime)}}\n`
    pending.push(line)
    chars += line.length
    if (chars >= FLUSH_CHARS) flush()
    else if (!timer) (timer = setTimeout(flush, FLUSH_MS)).unref()
  }
  return Object.assign(log, { flush })
}

export function censorQuery(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const key = decodeSafely(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase()
      return eq >= 0 && secretKeys.has(key) ? `${pair.slice(0, eq)}=[redacted]` : pair
    })
  return `${url.slice(0, q)}?${params.join('&')}`
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
