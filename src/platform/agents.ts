/**
 * Background agents: loops that claim work from the database (with leases, so several workers
 * can run and a killed worker's work is taken over) and do it. An agent's `runOnce` does one
 * batch and says how much it did; the runner calls it again at once while there is work, and
 * waits `idleMs` when there is none. Tests call `runOnce` directly instead of sleeping.
 */
import { ContinuumError } from './errors.js'
import type { Logger } from './logger.js'

export interface Agent {
  /** What it does, e.g. `transfers.submitter`; used in logs and `continuum worker --only`. */
  readonly name: string
  /** Does one batch of work; returns how many items it handled (0 = idle). */
  runOnce(): Promise<number>
  /** Milliseconds to wait after an idle round (default 1000). */
  readonly idleMs?: number
  /**
   * Receives a function the agent calls when work has come in (a job ended, say): the runner
   * then starts the next round at once instead of finishing its idle wait.
   */
  wakeWith?(wake: () => void): void
  /**
   * After a round that did something, wait this many ms before the next, even when woken: work
   * that comes in meanwhile is taken in one round rather than one round each. For agents whose
   * rounds cost statements per round rather than per item (the workflow engine).
   */
  readonly paceMs?: number
}

export interface AgentRunner {
  /** Resolves when every agent loop has stopped. */
  readonly done: Promise<void>
  stop(): Promise<void>
}

export function runAgents(agents: readonly Agent[], logger: Logger): AgentRunner {
  const controller = new AbortController()
  const loops = agents.map((agent) =>
    loop(agent, controller.signal, logger.child({ agent: agent.name })),
  )
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
  // A wake during a round means the round may have missed it: the next one starts at once.
  let woken = false
  let cutShort: (() => void) | undefined
  agent.wakeWith?.(() => {
    woken = true
    cutShort?.()
  })
  while (!signal.aborted) {
    let handled = 0
    woken = false
    try {
      handled = await agent.runOnce()
      failures = 0
      if (agent.paceMs && (handled > 0 || woken)) await abortableDelay(agent.paceMs, signal)
    } catch (err) {
      failures++
      // An outage (retryable: the database restarting) is weather, logged once per streak.
      if (!isRetryable(err)) logger.error({ err, failures }, 'agent round failed')
      else if (failures === 1) logger.warn({ err, failures }, 'agent round failed; backing off')
    }
    if (failures === 0 && (handled > 0 || woken)) continue
    if (failures > 0) {
      await abortableDelay(backoffMs(failures), signal)
      continue
    }
    await abortableDelay(agent.idleMs ?? 1000, signal, (cut) => (cutShort = cut))
    cutShort = undefined
  }
}

/**
 * After `failures` failed rounds in a row: exponential up to 30 s, with "full jitter" (a
 * uniform draw from half to all of it), so that many workers hit by the same outage do not
 * come back in step and stampede the database the moment it returns.
 */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 500 * 2 ** Math.min(failures, 6))
  return Math.round(ceiling * (0.5 + random() / 2))
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ContinuumError) return err.retryable
  const code = (err as { code?: unknown } | null)?.code
  const message = (err as { message?: unknown } | null)?.message
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    code === '57P03' ||
    (typeof message === 'string' && /^Connection terminated|connection error/.test(message))
  )
}

function abortableDelay(
  ms: number,
  signal: AbortSignal,
  onCut?: (cut: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    onCut?.(done)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
