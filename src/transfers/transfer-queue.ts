/**
 * The transfer queue as the rule engine sees it: data's `TransferQueue` port, implemented over
 * this domain's tables and plugged in by `index.ts` when the domain loads.
 */
import type { TransferQueue } from '../data/index.js'
import { newId } from '../platform/index.js'
import { cancelUnwantedTransfers, insertTransferRows, listRetryingRows } from './requests-store.js'

export const transferQueue: TransferQueue = {
  async enqueue(tx, now, transfers) {
    return insertTransferRows(
      tx,
      transfers.map((t) => ({
        id: newId(),
        scope: t.scope,
        name: t.name,
        endpoint_id: t.endpointId,
        activity: t.activity,
        bytes: t.bytes,
        adler32: t.adler32,
        source_expression: t.sourceExpression,
        source_endpoint_id: t.sourceEndpointId,
        community: t.community,
        ...(t.priority === undefined ? {} : { priority: t.priority }),
        created_by: t.createdBy ?? null,
        now,
      })),
    )
  },

  async cancelUnwanted(tx, now) {
    await cancelUnwantedTransfers(tx, now)
  },

  async listRetrying(db, ruleId) {
    return (await listRetryingRows(db, ruleId)).map((t) => ({
      scope: t.scope,
      name: t.name,
      endpointId: t.endpoint_id,
      lastError: t.last_error ?? '',
      failureClass: t.failure_class,
      attempts: t.attempts,
    }))
  },
}
