/**
 * What a finished copy means for the federation: the transfers domain calls these inside the
 * transaction that records the request's outcome, so a replica and its request never disagree.
 */
import type { Executor } from '../db/index.js'
import { addUsedBytes } from './endpoints-store.js'
import { moveLocksOnReplica } from './locks-store.js'
import { findReplicaRow, updateReplicaRow } from './replicas-store.js'

export interface CopiedReplica {
  scope: string
  name: string
  endpointId: string
}

/**
 * The bytes arrived and were verified: the replica becomes available (counted in its endpoint's
 * used bytes) and the locks waiting for it ok. 'unwanted' when the replica row was reaped
 * meanwhile (its rules expired): the caller then deletes the bytes it wrote.
 */
export async function completeReplicaCopy(
  tx: Executor,
  replica: CopiedReplica & { bytes: number },
  now: Date,
): Promise<'done' | 'unwanted'> {
  const row = await findReplicaRow(tx, replica, replica.endpointId, true)
  if (row && row.state !== 'available') {
    await updateReplicaRow(tx, replica, replica.endpointId, {
      state: 'available',
      updated_at: now,
      ...(row.lock_count === 0 ? { tombstone: now } : {}),
    })
    await addUsedBytes(tx, replica.endpointId, replica.bytes)
  }
  if (!row) return 'unwanted'
  await moveLocksOnReplica(tx, replica, ['replicating', 'stuck'], 'ok', null, now)
  return 'done'
}

/** The copy was given up: every lock waiting for this replica is stuck, with the reason. */
export async function failReplicaCopy(
  tx: Executor,
  replica: CopiedReplica,
  reason: string,
  now: Date,
): Promise<void> {
  await moveLocksOnReplica(tx, replica, ['replicating'], 'stuck', reason, now)
}
