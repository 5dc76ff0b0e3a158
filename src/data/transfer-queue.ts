/**
 * The port through which the rule engine hands copies to the transfer queue. The queue (its
 * tables, claiming, scheduling) is the transfers domain's; transfers imports data, so data cannot
 * import it back. Data declares here what it needs of a queue, and `transfers/index.ts` plugs its
 * implementation in when it loads: every process that runs rules (the server, the worker, the
 * tests) loads transfers too, so no entry point can forget the wiring.
 */
import type { Executor } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'

/** One replica to copy, as the rule engine asks for it. */
export interface NewTransfer {
  scope: string
  name: string
  /** The destination endpoint. */
  endpointId: string
  activity: string
  bytes: number
  adler32: string | null
  /** The rule's source expression (null: any endpoint). */
  sourceExpression: string | null
  /** The link's source: `anySource` when no replica is available yet. */
  sourceEndpointId: string
  /** The account charged, whose share the request counts against. */
  community: string
  priority?: number | undefined
  /** Who asked for it (the rule's creator); null for the system's own repairs. */
  createdBy?: string | null | undefined
}

/** A file of a rule still queued for another try, and why the last one failed. */
export interface RetryingTransfer {
  scope: string
  name: string
  endpointId: string
  lastError: string
  failureClass: string | null
  attempts: number
}

export interface TransferQueue {
  /**
   * Queues copies in the caller's transaction, skipping replicas that have a live request
   * already; returns the ids queued.
   */
  enqueue(tx: Executor, now: Date, transfers: readonly NewTransfer[]): Promise<string[]>
  /** Cancels queued requests for replicas that no lock wants any more. */
  cancelUnwanted(tx: Executor, now: Date): Promise<void>
  /** The queued requests of a rule's locks that failed before (for the locks' reasons). */
  listRetrying(db: Executor, ruleId: string): Promise<RetryingTransfer[]>
}

let plugged: TransferQueue | undefined

/** Called by the transfers domain as it loads; a second call replaces the first. */
export function plugTransferQueue(queue: TransferQueue): void {
  plugged = queue
}

export function transferQueue(): TransferQueue {
  if (!plugged) {
    throw new ContinuumError(
      'INTERNAL',
      'no transfer queue is plugged in: load the transfers domain (src/transfers/index.ts)',
      {},
    )
  }
  return plugged
}
