/**
 * The rule engine's background work, called by agents: re-evaluating rules whose content grew,
 * expiring rules at the end of their lifetime, and reaping tombstoned replicas after a grace
 * period (the bytes are deleted by the caller's storage protocol, inside the row lock).
 */
import type { Endpoint } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { addUsedBytes, listEndpointRows } from './endpoints-store.js'
import { protocolsFor, toEndpoint } from './endpoints.js'
import { deleteReplicaRow, findReplicaRow, lockReapableReplica } from './replicas-store.js'
import { replicaUrl } from './replicas.js'
import { placeLocks } from './rule-locks.js'
import { releaseRule } from './rules.js'
import { lockStuckLocks, setLocksOnReplica } from './locks-store.js'
import {
  claimRulesForEvaluation,
  findRuleRow,
  lockExpiredRules,
  refreshRuleStates,
  releaseRule as releaseRuleClaim,
} from './rules-store.js'
import { transferQueue } from './transfer-queue.js'
import { findSourceFor } from './transfer-sources.js'

/** Places locks for content added to collections with rules; returns rules evaluated. */
export async function evaluateRules(
  ctx: Context,
  worker: string,
  options: { leaseMs: number; limit: number },
): Promise<number> {
  const ids = await ctx.db
    .transaction()
    .execute((tx) =>
      claimRulesForEvaluation(tx, worker, ctx.clock.now(), options.leaseMs, options.limit),
    )
  for (const id of ids) {
    await ctx.db.transaction().execute(async (tx) => {
      const rule = await findRuleRow(tx, id, true)
      if (!rule || rule.claimed_by !== worker) return
      const endpoints = (await listEndpointRows(tx)).map(toEndpoint)
      // Growth is placed without a quota check: the rule was accepted and Rucio does the same.
      await placeLocks(tx, rule, endpoints, ctx.clock.now(), false)
      await releaseRuleClaim(tx, id, { needs_evaluation: false })
    })
  }
  return ids.length
}

/**
 * Retries stuck files (Rucio's judge-repairer): each lock stuck for longer than `afterMs` goes
 * back to replicating with a new transfer request; its reason stays on the failed request.
 */
export async function repairStuckLocks(
  ctx: Context,
  options: { afterMs: number; limit: number },
): Promise<number> {
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now()
    const locks = await lockStuckLocks(tx, new Date(now.getTime() - options.afterMs), options.limit)
    const rules = new Set<string>()
    for (const lock of locks) {
      const rule = await findRuleRow(tx, lock.rule_id)
      const replica = { scope: lock.scope, name: lock.name, endpointId: lock.endpoint_id }
      for (const id of await setLocksOnReplica(tx, replica, ['stuck'], 'replicating', null, now)) {
        rules.add(id)
      }
      await transferQueue().enqueue(tx, now, [
        {
          sourceEndpointId: await findSourceFor(
            tx,
            lock,
            lock.endpoint_id,
            rule?.source_expression ?? null,
          ),
          community: rule?.account ?? '',
          scope: lock.scope,
          name: lock.name,
          endpointId: lock.endpoint_id,
          activity: rule?.activity ?? 'default',
          priority: rule?.priority ?? 3,
          bytes: Number(lock.bytes),
          adler32: (await findReplicaRow(tx, lock, lock.endpoint_id))?.adler32 ?? null,
          sourceExpression: rule?.source_expression ?? null,
        },
      ])
    }
    await refreshRuleStates(tx, [...rules], now)
    return locks.length
  })
}

/** Deletes rules whose lifetime is over: locks released, unlocked replicas tombstoned. */
export async function expireRules(ctx: Context, limit: number): Promise<number> {
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now()
    const rules = await lockExpiredRules(tx, now, limit)
    for (const rule of rules) await releaseRule(tx, rule, now)
    return rules.length
  })
}

export interface ReapTarget {
  scope: string
  name: string
  endpoint: string
  urls: string[]
}

/**
 * Free-space targets: an endpoint with the attribute `reaper_free_gb=N` (and a known capacity) is
 * only reaped while it has less than N GB free; others are reaped as soon as the grace period
 * is over (Rucio's "greedy" mode).
 */
export function needsSpace(e: Endpoint): boolean {
  const target = Number(e.attributes.reaper_free_gb)
  if (
    !Number.isFinite(target) ||
    e.attributes.reaper_free_gb === undefined ||
    e.capacityBytes === null
  ) {
    return true
  }
  return e.capacityBytes - e.usedBytes < target * 1e9
}

/**
 * Deletes up to `limit` replicas whose tombstone is older than the grace period. Each replica is
 * locked while `deleteBytes` runs, so no rule can claim it half-deleted; the row goes only after
 * the bytes are gone (a failure leaves it for the next round).
 */
export async function reapReplicas(
  ctx: Context,
  options: { graceMs: number; limit: number; deleteBytes: (target: ReapTarget) => Promise<void> },
): Promise<number> {
  let reaped = 0
  for (let i = 0; i < options.limit; i++) {
    const done = await ctx.db.transaction().execute(async (tx) => {
      const before = new Date(ctx.clock.now().getTime() - options.graceMs)
      const endpoints = (await listEndpointRows(tx)).map(toEndpoint)
      const replica = await lockReapableReplica(
        tx,
        before,
        endpoints.filter(needsSpace).map((e) => e.id),
      )
      if (!replica) return false
      const endpoint = endpoints.find((e) => e.id === replica.endpoint_id)!
      const urls = protocolsFor(endpoint, 'delete').map((p) => replicaUrl(p.url, replica.path))
      // Copying replicas too: a transfer may have left part of a file behind.
      await options.deleteBytes({
        scope: replica.scope,
        name: replica.name,
        endpoint: endpoint.name,
        urls,
      })
      await deleteReplicaRow(tx, replica, replica.endpoint_id)
      if (replica.state === 'available') {
        await addUsedBytes(tx, replica.endpoint_id, -Number(replica.bytes))
      }
      return true
    })
    if (!done) break
    reaped++
  }
  return reaped
}
