/**
 * Worker ids name the process that holds a lease: `<kind>@<host>:<pid>:<nonce>`. Leases are
 * what recovers a killed worker's work, but only once they run out (minutes, for transfers):
 * until then its transfers count as active and its tasks wait. A worker that starts on the same
 * host can tell at once that a claimant is gone (no process with its pid), and end its leases
 * now instead.
 */
import os from 'node:os'
import { newId } from './new-id.js'

export function newWorkerId(kind: string): string {
  return `${kind}@${os.hostname()}:${process.pid}:${newId().slice(-12)}`
}

/** The host and pid a worker id names, or undefined for ids of another shape. */
export function workerProcess(id: string): { host: string; pid: number } | undefined {
  const match = /^[\w.-]+@(.+):(\d+):[0-9a-f]+$/.exec(id)
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined
}

/**
 * Whether the worker is known to be gone: it ran on this host and no process has its pid.
 * Ids of other hosts, of other shapes or of live processes are not (their leases run out).
 */
export function isGoneLocalWorker(id: string): boolean {
  const p = workerProcess(id)
  if (!p || p.host !== os.hostname() || p.pid === process.pid || p.pid < 2) return false
  try {
    process.kill(p.pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
