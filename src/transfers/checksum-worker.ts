/**
 * The body of one checksum-pool thread. It hashes one task at a time (the pool never sends a
 * second before the first is answered), so one adler32 state serves every task. File and HTTP
 * ranges are read here, so those bytes never pass through the main thread at all.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
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
    case 'http-to-file':
      return download(task, signal)
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

type HttpRange = Extract<PieceTask, { op: 'http' | 'http-to-file' }>

async function feedHttp(task: HttpRange, signal: AbortSignal) {
  let bytes = 0
  for await (const chunk of ranged(task, signal)) {
    hasher.update(chunk)
    bytes += chunk.byteLength
  }
  if (bytes !== task.end - task.start) throw short(task.url, task.start + bytes, task.end)
  return bytes
}

/** Bytes written between two read-backs of a download piece. */
const READ_BACK_WINDOW = 4 << 20

/**
 * Writes the range where it belongs in the file, and reads back and hashes each window of it
 * once written, so the read-back overlaps the download (the socket keeps filling meanwhile).
 * The file calls are synchronous: this thread has nothing else to do meanwhile, and a socket
 * chunk is small (64 KiB), so a round trip through libuv's pool for each cost more than the
 * copy itself. Each chunk is written before the next is read, so backpressure paces the server.
 */
async function download(task: Extract<PieceTask, { op: 'http-to-file' }>, signal: AbortSignal) {
  const fd = openSync(task.path, 'r+')
  const window = Buffer.allocUnsafe(READ_BACK_WINDOW)
  let hashed = task.start
  const readBack = (upTo: number): void => {
    while (hashed < upTo) {
      const bytesRead = readSync(fd, window, 0, Math.min(window.length, upTo - hashed), hashed)
      if (bytesRead === 0) throw short(task.path, hashed, upTo)
      hasher.update(window.subarray(0, bytesRead))
      hashed += bytesRead
    }
  }
  try {
    let at = task.start
    for await (const chunk of ranged(task, signal)) {
      if (at + chunk.byteLength > task.end) throw long(task.url, task.end)
      let written = 0
      while (written < chunk.byteLength) {
        written += writeSync(fd, chunk, written, chunk.byteLength - written, at + written)
      }
      at += chunk.byteLength
      if (at - hashed >= READ_BACK_WINDOW) readBack(at)
    }
    if (at !== task.end) throw short(task.url, at, task.end)
    readBack(at)
    return task.end - task.start
  } finally {
    closeSync(fd)
  }
}

/** The body of `GET` with `Range` for [start, end); an empty range yields nothing. */
async function* ranged(task: HttpRange, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  if (task.end === task.start) return
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
  yield* res as AsyncIterable<Uint8Array>
}

function long(where: string, end: number): Error {
  return new Error(`long read: ${where} sent more than the ${end} bytes asked for`)
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
