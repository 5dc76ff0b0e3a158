/**
 * Background agents: loops that claim work from the database (with leases, so several workers
 * can run and a killed worker's work is taken over) and do it. An agent's `runOnce` does one
 * batch and says how much it did; the runner calls it again at once while there is work, and
 * waits `idleMs` when there is none. Tests call `runOnce` directly instead of sleeping.
 */
import type { Logger } from './logger.js'

export interface Agent {
  /** What it does, e.g. `transfers.submitter`; used in logs and `continuum worker --only`. */
  readonly name: string
  /** Does one batch of work; returns how many items it handled (0 = idle). */
  runOnce(): Promise<number>
  /** Milliseconds to wait after an idle round (default 1000). */
  readonly idleMs?: number
}

export interface AgentRunner {
  /** Resolves when every agent loop has stopped. */
  readonly done: Promise<void>
  stop(): Promise<void>
}

export function runAgents(agents: readonly Agent[], logger: Logger): AgentRunner {
  const controller = new AbortController()
  const loops = agents.map((agent) => loop(agent, controller.signal, logger.child({ agent: agent.name })))
  const done = Promise.all(loops).then(() => undefined)
  return {
    done,
    async stop() {
      controller.abort()
      await done
    },
  }
}

async function loop(agent: Agent, signal: AbortSignal, logger: Logger): Promise<void> {
  let failures = 0
  while (!signal.aborted) {
    let handled = 0
    try {
      handled = await agent.runOnce()
      failures = 0
    } catch (err) {
      failures++
      logger.error({ err, failures }, 'agent round failed')
    }
    if (handled > 0 && failures === 0) continue
    // Back off after failures (up to 30 s) so a broken dependency is not hammered.
    const wait = failures > 0 ? Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) : (agent.idleMs ?? 1000)
    await abortableDelay(wait, signal)
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
