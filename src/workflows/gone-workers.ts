/**
 * Ends the task leases of workers known to be gone (`isGone`, see platform/worker-ids.ts), so
 * that their tasks are taken over on the next engine round rather than when the lease runs out.
 */
import type { Context } from '../db/index.js'
import { endTaskLeasesOf, listTaskClaimants } from './task-leases-store.js'

export async function endTaskLeasesOfGoneWorkers(
  ctx: Context,
  isGone: (workerId: string) => boolean,
): Promise<number> {
  const gone = (await listTaskClaimants(ctx.db)).filter(isGone)
  return endTaskLeasesOf(ctx.db, gone, ctx.clock.now())
}
