/**
 * A few threads that compute adler32 off the main thread, so hashing overlaps the socket and
 * disk work of a transfer instead of queueing behind it. Each thread takes one task at a time;
 * the rest wait here in order. Idle threads do not keep the process alive, busy ones do (a
 * pending checksum must not be cut short by the process exiting).
 */
import os from 'node:os'
import { Worker, type Transferable } from 'node:worker_threads'
import type { FromThread, PieceDigest, PieceTask, ToThread } from './checksum-task.js'

interface Job {
  id: number
  task: PieceTask
  transfer: Transferable[]
  signal: AbortSignal | undefined
  resolve: (digest: PieceDigest) => void
  reject: (err: Error) => void
}

interface Thread {
  worker: Worker
  job: Job | undefined
}

// Workers do not inherit tsx from `--import` or `register()`: run from the sources, each one
// registers it before loading its TypeScript body; the compiled build (dist/) loads its .js.
const fromSource = import.meta.url.endsWith('.ts')
const body = new URL(fromSource ? './checksum-worker.ts' : './checksum-worker.js', import.meta.url)
  .href
const bootstrap = fromSource
  ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(body)}) })`
  : `import(${JSON.stringify(body)})`

export class ChecksumPool {
  private readonly threads: Thread[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private closed = false

  /** `size` threads at most, started on first use. */
  constructor(readonly size = defaultPoolSize()) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`ChecksumPool size must be a positive integer, got ${size}`)
    }
  }

  /** Threads running now (for tests and metrics). */
  get threadCount(): number {
    return this.threads.length
  }

  /**
   * adler32 of one piece. `transfer` lists buffers handed over to the thread (unusable here
   * afterwards); a SharedArrayBuffer view is shared without copying. An abort before the piece
   * starts drops it; after, the thread stops reading and the promise rejects.
   */
  run(task: PieceTask, options: { transfer?: Transferable[]; signal?: AbortSignal } = {}) {
    return new Promise<PieceDigest>((resolve, reject) => {
      if (this.closed) return reject(new Error('checksum pool is closed'))
      if (options.signal?.aborted) return reject(abortError(options.signal))
      const signal = options.signal
      const onAbort = (): void => this.cancel(job)
      // Many pieces share one transfer's signal: each takes its listener away when it settles.
      const settle = (): void => signal?.removeEventListener('abort', onAbort)
      const job: Job = {
        id: this.nextId++,
        task,
        transfer: options.transfer ?? [],
        signal,
        resolve: (digest) => (settle(), resolve(digest)),
        reject: (err) => (settle(), reject(err)),
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(job)
      this.dispatch()
    })
  }

  /**
   * Starts every thread now, so that the first large copy does not pay for their start (about
   * a quarter of a second: each loads the TypeScript loader). Resolves when all answer.
   */
  async warm(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.size }, () => this.run({ op: 'bytes', data: new Uint8Array(1) })),
    )
  }

  /** Stops every thread; queued and running pieces reject. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new Error('checksum pool is closed'))
    await Promise.all(this.threads.map((t) => t.worker.terminate()))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => !t.job) ?? this.start()
      if (!thread) return
      const job = this.queue.shift()!
      thread.job = job
      thread.worker.ref()
      const message: ToThread = { id: job.id, task: job.task }
      thread.worker.postMessage(message, job.transfer)
    }
  }

  private start(): Thread | undefined {
    if (this.threads.length >= this.size) return undefined
    const thread: Thread = { worker: new Worker(bootstrap, { eval: true }), job: undefined }
    let failure: Error | undefined
    thread.worker.on('message', (message: FromThread) => {
      const job = thread.job
      if (!job || job.id !== message.id) return
      thread.job = undefined
      thread.worker.unref()
      if (message.ok) job.resolve({ adler32: message.adler32, bytes: message.bytes })
      else job.reject(Object.assign(new Error(message.error.message), message.error))
      this.dispatch()
    })
    thread.worker.on('error', (err) => (failure = err))
    thread.worker.on('exit', (code) => {
      this.threads.splice(this.threads.indexOf(thread), 1)
      thread.job?.reject(failure ?? new Error(`checksum thread exited with code ${code}`))
      thread.job = undefined
      if (!this.closed) this.dispatch()
    })
    this.threads.push(thread)
    return thread
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      job.reject(abortError(job.signal!))
      return
    }
    const thread = this.threads.find((t) => t.job === job)
    const message: ToThread = { id: job.id, cancel: true }
    thread?.worker.postMessage(message)
  }
}

/** Two threads even on two cores (ranged read-backs do their own I/O), at most four. */
export function defaultPoolSize(): number {
  return Math.min(4, Math.max(2, os.availableParallelism() - 1))
}

let shared: ChecksumPool | undefined

/** The process-wide pool that transfers use. Its idle threads never keep the process alive. */
export function sharedChecksumPool(): ChecksumPool {
  shared ??= new ChecksumPool()
  return shared
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' })
}
