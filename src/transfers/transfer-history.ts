/**
 * Retention of the transfer history: finished requests (with their attempts and events) are
 * kept for a number of days and then deleted, a batch per call. The optimiser and the link
 * statistics read minutes to an hour of attempts, so pruning days-old rows changes neither.
 */
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { deleteFinishedRequests, sumTransferredTo } from './history-store.js'

/** Deletes up to `limit` requests finished more than `days` ago; returns how many. */
export async function pruneTransferHistory(
  ctx: Context,
  options: { days: number; limit: number },
): Promise<number> {
  if (!(options.days > 0) || !Number.isInteger(options.limit) || options.limit < 1) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      'retention: days must be > 0 and limit a positive integer',
      { ...options },
    )
  }
  const before = new Date(ctx.clock.now().getTime() - options.days * 86_400_000)
  return deleteFinishedRequests(ctx.db, before, options.limit)
}

/** Bytes copied for `community` to any of `endpointIds` since `since` (an allocation's use). */
export function transferredTo(
  ctx: Context,
  community: string,
  endpointIds: readonly string[],
  since: Date,
): Promise<number> {
  return sumTransferredTo(ctx.db, community, endpointIds, since)
}
