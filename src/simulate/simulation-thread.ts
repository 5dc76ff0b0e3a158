/**
 * Simulations off the main thread: a year of a scenario is seconds of CPU, which would hold
 * every other request of the server. One simulation thread per process runs them one after
 * another (which also bounds what simulations can take of a server: one core), and returns
 * plain data; an idle thread does not keep the process alive.
 */
import { Worker } from 'node:worker_threads'
import type { SimulationReport, SimulationRequest } from '../contract/index.js'
import { ContinuumError, type ErrorCode } from '../platform/index.js'
import type { SimulationReply } from './simulation-worker.js'

// Workers do not inherit tsx: from the sources the thread registers it before its body.
const fromSource = import.meta.url.endsWith('.ts')
const body = new URL(
  fromSource ? './simulation-worker.ts' : './simulation-worker.js',
  import.meta.url,
).href
const bootstrap = fromSource
  ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(body)}) })`
  : `import(${JSON.stringify(body)})`

interface Job {
  resolve: (result: SimulationReport | string) => void
  reject: (err: Error) => void
}

/** Simulations run on the thread so far (for tests and operators). */
export let simulationsOffThread = 0

let thread: Worker | undefined
const jobs = new Map<number, Job>()
let nextId = 1

export function runSimulationOffThread(
  request: SimulationRequest,
): Promise<SimulationReport | string> {
  return new Promise((resolve, reject) => {
    const id = nextId++
    jobs.set(id, { resolve, reject })
    const worker = simulationThread()
    worker.ref()
    worker.postMessage({ id, body: request })
  })
}

function simulationThread(): Worker {
  if (thread) return thread
  const worker = new Worker(bootstrap, { eval: true })
  let failure: Error | undefined
  worker.on('message', (reply: SimulationReply) => {
    const job = jobs.get(reply.id)
    if (!job) return
    jobs.delete(reply.id)
    if (jobs.size === 0) worker.unref()
    if (reply.ok) {
      simulationsOffThread++
      job.resolve(reply.result)
    } else if (reply.code) {
      job.reject(new ContinuumError(reply.code as ErrorCode, reply.message, reply.details ?? {}))
    } else job.reject(new Error(reply.message))
  })
  worker.on('error', (err) => (failure = err))
  worker.on('exit', (code) => {
    thread = undefined
    const err = failure ?? new Error(`the simulation thread exited with code ${code}`)
    for (const job of jobs.values()) job.reject(err)
    jobs.clear()
  })
  thread = worker
  return worker
}
