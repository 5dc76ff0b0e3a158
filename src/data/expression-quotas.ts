/**
 * Quotas on endpoint expressions: `quota set lofar 'country=DE' 5TB` bounds what lofar locks on
 * all the endpoints `country=DE` covers, together — whichever of them a rule picks. They add to
 * the per-endpoint quotas (rule-locks.ts), they do not replace them: an endpoint that only an
 * expression quota covers is not quota-managed for other owners. The expression is evaluated
 * when a rule is placed, so an endpoint added later with `country=DE` is covered at once.
 */
import type { Quota, QuotaSet } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { selectEndpoints, toEndpoint } from './endpoints.js'
import { listEndpointRows } from './endpoints-store.js'
import { parseCached } from './expression-evaluator.js'
import {
  listExpressionQuotaRows,
  lockedBytesByEndpoint,
  upsertExpressionQuotaRow,
} from './quotas-store.js'
import type { Endpoint } from '../contract/index.js'

export async function setExpressionQuota(
  ctx: Context,
  input: QuotaSet & { expression: string },
): Promise<Quota> {
  parseCached(input.expression)
  await upsertExpressionQuotaRow(ctx.db, {
    owner: input.owner,
    expression: input.expression,
    bytes: input.bytes,
    createdBy: ctx.actor.principal,
    now: ctx.clock.now(),
  })
  const endpoints = (await listEndpointRows(ctx.db)).map(toEndpoint)
  return (await describe(ctx.db, [{ ...input }], endpoints))[0]!
}

export async function listExpressionQuotas(ctx: Context, owner?: string): Promise<Quota[]> {
  const rows = await listExpressionQuotaRows(ctx.db, owner)
  if (rows.length === 0) return []
  const endpoints = (await listEndpointRows(ctx.db)).map(toEndpoint)
  return describe(ctx.db, rows, endpoints)
}

async function describe(
  db: Executor,
  rows: Array<{ owner: string; expression: string; bytes: number }>,
  endpoints: Endpoint[],
): Promise<Quota[]> {
  const usage = new Map<string, Map<string, number>>()
  const out: Quota[] = []
  for (const r of rows) {
    if (!usage.has(r.owner)) usage.set(r.owner, await lockedBytesByEndpoint(db, r.owner))
    const covered = selectEndpoints(endpoints, r.expression)
    const used = usage.get(r.owner)!
    out.push({
      owner: r.owner,
      expression: r.expression,
      endpoints: covered.map((e) => e.name),
      bytes: Number(r.bytes),
      usedBytes: covered.reduce((sum, e) => sum + (used.get(e.id) ?? 0), 0),
    })
  }
  return out
}

/**
 * Refuses placing `need` (bytes per endpoint id, already locked in this transaction) when it
 * takes the owner over a quota on an expression covering any of those endpoints.
 */
export async function assertExpressionQuotas(
  tx: Executor,
  owner: string,
  need: ReadonlyMap<string, number>,
  endpoints: Endpoint[],
): Promise<void> {
  const quotas = await listExpressionQuotaRows(tx, owner)
  if (quotas.length === 0) return
  let used: Map<string, number> | undefined
  for (const q of quotas) {
    const covered = selectEndpoints(endpoints, q.expression)
    const touched = covered.filter((e) => (need.get(e.id) ?? 0) > 0)
    if (touched.length === 0) continue
    used ??= await lockedBytesByEndpoint(tx, owner)
    const total = covered.reduce((sum, e) => sum + (used!.get(e.id) ?? 0), 0)
    const limit = Number(q.bytes)
    if (total <= limit) continue
    const extra = touched.reduce((sum, e) => sum + (need.get(e.id) ?? 0), 0)
    throw new ContinuumError(
      'QUOTA_EXCEEDED',
      `${owner} would use ${total} bytes on the endpoints '${q.expression}' covers (${covered
        .map((e) => e.name)
        .join(
          ', ',
        )}); the quota there is ${limit} (${total - extra} in use, this rule needs ${extra} on ${touched
        .map((e) => e.name)
        .join(', ')})`,
      {
        owner,
        expression: q.expression,
        endpoints: touched.map((e) => e.name),
        quotaBytes: limit,
        usedBytes: total - extra,
        neededBytes: extra,
      },
    )
  }
}
