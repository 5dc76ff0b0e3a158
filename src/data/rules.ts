/**
 * Replication rules: "keep N copies of this identifier on endpoints matching EXPR". A rule owns
 * one lock per (file, endpoint) it placed; missing replicas become transfer requests. The rule
 * engine only ever adds the replicas needed, reusing those that exist.
 */
import type {
  BadReplica,
  Lock,
  Quota,
  QuotaSet,
  Rule,
  RuleCreate,
  RuleListQuery,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, newId, visibleCommunities, type Actor } from '../platform/index.js'
import { assertDid, formatDid } from './did-grammar.js'
import { findScopeRow } from './dids-store.js'
import { mustFindDid } from './dids.js'
import { listEndpointRows } from './endpoints-store.js'
import { mustFindEndpoint, selectEndpoints, toEndpoint } from './endpoints.js'
import { changeReplicaLocks, findReplicaRow, updateReplicaRow } from './replicas-store.js'
import { listLockRows, setLocksOnReplica } from './locks-store.js'
import { listExpressionQuotas, setExpressionQuota } from './expression-quotas.js'
import { listQuotaRows, lockedBytesByEndpoint, upsertQuotaRow } from './quotas-store.js'
import { placeLocks } from './rule-locks.js'
import {
  deleteRuleRow,
  findRuleRow,
  insertRuleRow,
  listRuleRows,
  refreshRuleStates,
  type RuleRow,
} from './rules-store.js'
import { transferQueue } from './transfer-queue.js'
import { findSourceFor } from './transfer-sources.js'

/**
 * The account a new rule is charged to when none is named: the scope's community when the
 * caller is a member of it (community quotas, as Rucio group accounts), else the caller's own.
 */
export function defaultRuleAccount(
  actor: Actor,
  scopeCommunity: string | null | undefined,
): string {
  return scopeCommunity && actor.communities.includes(scopeCommunity)
    ? scopeCommunity
    : actor.account
}

/**
 * Adds a rule. The caller must already be allowed to charge `input.account` (the route asks the
 * policies, `data.account.use`); without one, `defaultRuleAccount` decides.
 */
export async function addRule(ctx: Context, input: RuleCreate): Promise<Rule> {
  assertDid(input)
  const endpoints = (await listEndpointRows(ctx.db)).map(toEndpoint)
  const candidates = selectEndpoints(endpoints, input.expression).filter((e) => e.availableWrite)
  if (input.sourceExpression !== undefined) selectEndpoints(endpoints, input.sourceExpression)
  if (candidates.length < input.copies) {
    throw new ContinuumError(
      'RULE_UNSATISFIABLE',
      `'${input.expression}' selects ${candidates.length} writable endpoint(s); the rule asks ${input.copies} copies`,
      {
        expression: input.expression,
        writable: candidates.length,
        copies: input.copies,
      },
    )
  }
  return ctx.db.transaction().execute(async (tx) => {
    await mustFindDid(tx, input, true)
    const community = (await findScopeRow(tx, input.scope))?.community ?? null
    const now = ctx.clock.now()
    const id = newId()
    await insertRuleRow(tx, {
      id,
      scope: input.scope,
      name: input.name,
      account: input.account ?? defaultRuleAccount(ctx.actor, community),
      community,
      created_by: ctx.actor.principal,
      copies: input.copies,
      expression: input.expression,
      source_expression: input.sourceExpression ?? null,
      grouping: input.grouping ?? 'dataset',
      weight: input.weight ?? null,
      activity: input.activity ?? 'default',
      priority: input.priority ?? 3,
      comment: input.comment ?? '',
      state: 'replicating',
      expires_at:
        input.lifetimeSeconds === undefined
          ? null
          : new Date(now.getTime() + input.lifetimeSeconds * 1000),
      created_at: now,
      updated_at: now,
    })
    const rule = (await findRuleRow(tx, id))!
    await placeLocks(tx, rule, endpoints, now, true)
    return toRule((await findRuleRow(tx, id))!)
  })
}

export async function getRule(ctx: Context, id: string): Promise<Rule> {
  return toRule(await mustFindRule(ctx.db, id))
}

/** Rules of the communities the caller sees. */
export async function listRules(ctx: Context, query: RuleListQuery = {}): Promise<Rule[]> {
  return (await listRuleRows(ctx.db, { ...query, communities: visibleCommunities(ctx.actor) })).map(
    toRule,
  )
}

/** Who a rule belongs to, for the gate: its community (`''`: the installation's own). */
export async function ruleTenancy(
  ctx: Context,
  id: string,
): Promise<{ community: string; owner: string | null } | undefined> {
  const row = await findRuleRow(ctx.db, id)
  return row && { community: row.community ?? '', owner: row.created_by }
}

/** Per-file locks of a rule, with the reason each stuck file is stuck. */
export async function listRuleLocks(ctx: Context, id: string): Promise<Lock[]> {
  const rule = await mustFindRule(ctx.db, id)
  // A file still replicating after a failed attempt says why (the live request's last error).
  const retrying = new Map<string, string>()
  for (const t of await transferQueue().listRetrying(ctx.db, rule.id)) {
    retrying.set(
      `${t.scope}:${t.name}@${t.endpointId}`,
      `retrying after ${t.failureClass ?? 'error'}: ${t.lastError} (${t.attempts} attempt(s))`,
    )
  }
  return (await listLockRows(ctx.db, { ruleId: rule.id })).map((l) => ({
    scope: l.scope,
    name: l.name,
    endpoint: l.endpoint,
    state: l.state as Lock['state'],
    bytes: Number(l.bytes),
    reason:
      l.reason ??
      (l.state === 'replicating'
        ? (retrying.get(`${l.scope}:${l.name}@${l.endpoint_id}`) ?? null)
        : null),
  }))
}

/** Deletes a rule now: its locks are released and unlocked replicas tombstoned. */
export async function deleteRule(ctx: Context, id: string): Promise<Rule> {
  return ctx.db.transaction().execute(async (tx) => {
    const rule = await mustFindRule(tx, id, true)
    await releaseRule(tx, rule, ctx.clock.now())
    return toRule(rule)
  })
}

export async function releaseRule(tx: Executor, rule: RuleRow, now: Date): Promise<void> {
  for (const lock of await listLockRows(tx, { ruleId: rule.id })) {
    await changeReplicaLocks(tx, lock, lock.endpoint_id, -1, now)
  }
  await deleteRuleRow(tx, rule, now)
  await transferQueue().cancelUnwanted(tx, now)
}

/**
 * Declares a replica bad (lost or corrupted): its locks go back to replicating and a transfer
 * from another replica restores it; with no other source the locks are stuck, with the reason.
 */
export async function declareBadReplica(
  ctx: Context,
  input: BadReplica,
): Promise<{ transfers: number }> {
  assertDid(input)
  return ctx.db.transaction().execute(async (tx) => {
    const endpoint = await mustFindEndpoint(tx, input.endpoint)
    const replica = await findReplicaRow(tx, input, endpoint.id, true)
    if (!replica) {
      throw new ContinuumError(
        'REPLICA_NOT_FOUND',
        `${formatDid(input)} has no replica on ${endpoint.name}`,
        { did: formatDid(input), endpoint: endpoint.name },
      )
    }
    const now = ctx.clock.now()
    const rules = await setLocksOnReplica(
      tx,
      { ...input, endpointId: endpoint.id },
      ['ok', 'stuck', 'replicating'],
      'replicating',
      null,
      now,
    )
    await updateReplicaRow(tx, input, endpoint.id, {
      state: rules.length ? 'copying' : 'bad',
      updated_at: now,
    })
    if (rules.length) {
      const rule = (await findRuleRow(tx, rules[0]!))!
      const did = await mustFindDid(tx, input)
      const source = await findSourceFor(tx, input, endpoint.id, rule.source_expression, [
        endpoint.id,
      ])
      await transferQueue().enqueue(tx, now, [
        {
          scope: input.scope,
          name: input.name,
          endpointId: endpoint.id,
          activity: rule.activity,
          priority: rule.priority,
          bytes: Number(did.bytes ?? 0),
          adler32: did.adler32,
          sourceExpression: rule.source_expression,
          sourceEndpointId: source,
          community: rule.account,
        },
      ])
    }
    await refreshRuleStates(tx, rules, now)
    return { transfers: rules.length ? 1 : 0 }
  })
}

export async function setQuota(ctx: Context, input: QuotaSet): Promise<Quota> {
  if ((input.endpoint === undefined) === (input.expression === undefined)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      'a quota is set on an endpoint or on an endpoint expression: give exactly one',
      { field: 'endpoint' },
    )
  }
  if (input.expression !== undefined) {
    return setExpressionQuota(ctx, { ...input, expression: input.expression })
  }
  const endpoint = await mustFindEndpoint(ctx.db, input.endpoint as string)
  await upsertQuotaRow(ctx.db, input.owner, endpoint.id, input.bytes, ctx.clock.now())
  const used = await lockedBytesByEndpoint(ctx.db, input.owner)
  return {
    owner: input.owner,
    endpoint: endpoint.name,
    bytes: input.bytes,
    usedBytes: used.get(endpoint.id) ?? 0,
  }
}

export async function listQuotas(ctx: Context, owner?: string): Promise<Quota[]> {
  const rows = await listQuotaRows(ctx.db, owner)
  const usage = new Map<string, Map<string, number>>()
  const out: Quota[] = []
  for (const r of rows) {
    if (!usage.has(r.owner)) usage.set(r.owner, await lockedBytesByEndpoint(ctx.db, r.owner))
    out.push({
      owner: r.owner,
      endpoint: r.endpoint,
      bytes: Number(r.bytes),
      usedBytes: usage.get(r.owner)?.get(r.endpoint_id) ?? 0,
    })
  }
  return [...out, ...(await listExpressionQuotas(ctx, owner))]
}

async function mustFindRule(db: Executor, id: string, forUpdate = false): Promise<RuleRow> {
  const row = /^[0-9a-f-]{36}$/i.test(id)
    ? await findRuleRow(db, id.toLowerCase(), forUpdate)
    : undefined
  if (!row) throw new ContinuumError('RULE_NOT_FOUND', `rule '${id}' not found`, { rule: id })
  return row
}

export function toRule(row: RuleRow): Rule {
  return {
    id: row.id,
    scope: row.scope,
    name: row.name,
    account: row.account,
    copies: row.copies,
    expression: row.expression,
    sourceExpression: row.source_expression,
    grouping: row.grouping as Rule['grouping'],
    weight: row.weight,
    activity: row.activity,
    priority: row.priority,
    comment: row.comment,
    state: row.state as Rule['state'],
    locksOk: row.locks_ok,
    locksReplicating: row.locks_replicating,
    locksStuck: row.locks_stuck,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
    community: row.community,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
