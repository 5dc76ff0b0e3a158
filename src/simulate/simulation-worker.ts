/** The simulation thread's body (see simulation-thread.ts): one request per message. */
import { parentPort } from 'node:worker_threads'
import type { SimulationReport, SimulationRequest } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { runSimulation } from './run.js'

export type SimulationReply =
  | { id: number; ok: true; result: SimulationReport | string }
  | { id: number; ok: false; code?: string; message: string; details?: Record<string, unknown> }

parentPort?.on('message', (request: { id: number; body: SimulationRequest }) => {
  let reply: SimulationReply
  try {
    reply = { id: request.id, ok: true, result: runSimulation(request.body) }
  } catch (err) {
    reply =
      err instanceof ContinuumError
        ? { id: request.id, ok: false, code: err.code, message: err.message, details: err.details }
        : { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) }
  }
  parentPort?.postMessage(reply)
})
