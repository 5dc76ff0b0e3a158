/**
 * The body of one checksum-pool thread. It hashes one task at a time (the pool never sends a
 * second before the first is answered), so one adler32 state serves every task. File and HTTP
 * ranges are read here, so those bytes never pass through the main thread at all.
 */
import { open } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { parentPort } from 'node:worker_threads'
import { createAdler32 } from 'hash-wasm'
import type { FromThread, PieceTask, ThreadError, ToThread } from './checksum-task.js'

const port = parentPort!
const hasher = await createAdler32()
const running = new Map<number, AbortController>()

port.on('message', (message: ToThread) => {
  if ('cancel' in message) {
    running.get(message.id)?.abort()
    return
  }
  void answer(message.id, message.task)
})

async function answer(id: number, task: PieceTask): Promise<void> {
  const abort = new AbortController()
  running.set(id, abort)
  let reply: FromThread
  try {
    hasher.init()
    const bytes = await feed(task, abort.signal)
    reply = { id, ok: true, bytes, adler32: Number.parseInt(hasher.digest('hex'), 16) >>> 0 }
  } catch (err) {
    reply = { id, ok: false, error: describe(err) }
  } finally {
    running.delete(id)
  }
  port.postMessage(reply)
}

async function feed(task: PieceTask, signal: AbortSignal): Promise<number> {
  switch (task.op) {
    case 'bytes':
      hasher.update(task.data)
      return task.data.byteLength
    case 'file':
      return feedFile(task.path, task.start, task.end, signal)
    case 'http':
      return feedHttp(task, signal)
  }
}

async function feedFile(path: string, start: number, end: number, signal: AbortSignal) {
  const file = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(4 << 20, end - start)))
    let at = start
    while (at < end) {
      signal.throwIfAborted()
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end - at), at)
      if (bytesRead === 0) throw short(path, at, end)
      hasher.update(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
    return end - start
  } finally {
    await file.close()
  }
}

async function feedHttp(task: Extract<PieceTask, { op: 'http' }>, signal: AbortSignal) {
  if (task.end === task.start) return 0
  const target = new URL(task.url)
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (target.protocol === 'https:' ? https : http).request(target, {
      headers: { ...task.headers, Range: `bytes=${task.start}-${task.end - 1}` },
      timeout: task.timeoutMs,
      signal,
    })
    req.once('response', resolve)
    req.once('error', reject)
    req.once('timeout', () =>
      req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
    )
    req.end()
  })
  // 200 would be the whole file, not this piece: a server that ignores Range cannot be split.
  if (res.statusCode !== 206) {
    res.resume()
    throw Object.assign(new Error(`ranged GET answered ${res.statusCode}`), {
      status: res.statusCode,
      statusMessage: res.statusMessage,
    })
  }
  let bytes = 0
  for await (const chunk of res as AsyncIterable<Uint8Array>) {
    hasher.update(chunk)
    bytes += chunk.byteLength
  }
  if (bytes !== task.end - task.start) throw short(task.url, task.start + bytes, task.end)
  return bytes
}

/** No errno code: the message itself is the reason the caller's storage error shows. */
function short(where: string, at: number, end: number): Error {
  return new Error(`short read: ${where} ended at byte ${at}, expected ${end}`)
}

function describe(err: unknown): ThreadError {
  const e = err as Partial<ThreadError> & { name?: string }
  return {
    message: typeof e.message === 'string' ? e.message : String(err),
    name: e.name,
    code: typeof e.code === 'string' ? e.code : undefined,
    status: typeof e.status === 'number' ? e.status : undefined,
    statusMessage: typeof e.statusMessage === 'string' ? e.statusMessage : undefined,
  }
}
