/**
 * Placing a rule's locks in bulk: a rule on a 100k-file dataset becomes 100k locks and transfer
 * requests without holding the files in memory. Files are read a page at a time with their
 * replicas; a grouped rule first sums what each endpoint holds of each group (one aggregate
 * statement for a new rule whose files form one group, else a first pass over the pages). Locks,
 * replica rows and transfer requests are then written a page at a time, in a few statements.
 */
import type { Endpoint } from '../contract/index.js'
import type { Executor } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { deterministicPath, formatDid } from './did-grammar.js'
import {
  listAncestorKeys,
  listFileKeysPage,
  sumHeldBytesByEndpoint,
  type PageFile,
} from './dids-store.js'
import { mustFindDid } from './dids.js'
import { addReplicaLocks, insertCopyingReplicas } from './replicas-store.js'
import { insertLockRows, listLockedKeysOf, ruleHasLocks } from './locks-store.js'
import { assertStorageAllocations } from './allocation-storage.js'
import { assertExpressionQuotas } from './expression-quotas.js'
import { listQuotaRows, lockedBytesByEndpoint } from './quotas-store.js'
import { addHeld, chooseByHeld, chooseEndpoints } from './rule-placement.js'
import { placementCandidates } from './placement-candidates.js'
import { refreshRuleStates, type RuleRow } from './rules-store.js'
import { transferQueue, type NewTransfer } from './transfer-queue.js'
import { allowedSources, chooseSource } from './transfer-sources.js'

/** Files read and written per page. */
export const placementPageSize = 2000

type FileKey = {
  scope: string
  name: string
  key: string
  bytes: number
  adler32: string | null
  group: string
  /** Where the file's replicas are, and in which state. */
  replicas: PageFile['replicas']
}

/** Pages of a rule's files with the placement group of each (dataset grouping: its dataset). */
async function* filePages(
  db: Executor,
  rule: RuleRow,
  did: { type: string },
): AsyncGenerator<FileKey[]> {
  const ruleKey = formatDid(rule)
  let after: { scope: string; name: string } | undefined
  for (;;) {
    const page = await listFileKeysPage(
      db,
      { scope: rule.scope, name: rule.name, type: did.type },
      after,
      placementPageSize,
    )
    if (page.length === 0) return
    after = page.at(-1)
    const out: FileKey[] = []
    for (const f of page) {
      const key = `${f.scope}:${f.name}`
      let group = rule.grouping === 'all' ? 'all' : `file:${key}`
      if (rule.grouping === 'dataset' && did.type === 'dataset') group = ruleKey
      if (rule.grouping === 'dataset' && did.type === 'container') {
        // For dataset grouping a file belongs to the dataset the rule reaches it through.
        group = (await listAncestorKeys(db, f)).map(formatDid).sort()[0] ?? group
      }
      out.push({
        scope: f.scope,
        name: f.name,
        key,
        bytes: Number(f.bytes ?? 0),
        adler32: f.adler32,
        group,
        replicas: f.replicas,
      })
    }
    yield out
  }
}

/** The one placement group of all a rule's files, when they form one (else undefined). */
function singleGroup(rule: RuleRow, did: { type: string }): string | undefined {
  if (rule.grouping === 'all') return 'all'
  if (rule.grouping === 'dataset' && did.type === 'dataset') return formatDid(rule)
  return undefined
}

function holdersOf(replicas: PageFile['replicas']): Set<string> {
  return new Set(
    replicas
      .filter((r) => r.state === 'available' || r.state === 'copying')
      .map((r) => r.endpoint_id),
  )
}

/**
 * Creates the locks a rule lacks (all of them for a new rule; those of newly attached files
 * later) and queues transfers for replicas that are missing. Checks quotas when asked (the whole
 * placement is in the caller's transaction: a quota error leaves nothing behind).
 */
export async function placeLocks(
  tx: Executor,
  rule: RuleRow,
  endpoints: Endpoint[],
  now: Date,
  checkQuota: boolean,
): Promise<number> {
  const placement = placementCandidates(endpoints, rule)
  const byId = new Map(endpoints.map((e) => [e.id, e]))
  const allowed = allowedSources(endpoints, rule.source_expression)

  const did = await mustFindDid(tx, rule)
  // A rule without locks yet (a new one) need not look up its locks page by page.
  const fresh = !(await ruleHasLocks(tx, rule.id))
  const lockedOf = (page: FileKey[]) =>
    fresh ? Promise.resolve(new Set<string>()) : listLockedKeysOf(tx, rule.id, page)

  // Pass 1 (grouped rules): what each endpoint holds of each group, and which groups are done.
  const chosen = new Map<string, string[] | null>()
  const single = singleGroup(rule, did)
  if (single !== undefined && fresh) {
    // One group and nothing locked yet: one statement sums what each endpoint holds.
    const held = await sumHeldBytesByEndpoint(tx, {
      scope: rule.scope,
      name: rule.name,
      type: did.type,
    })
    chosen.set(single, chooseByHeld(held, placement, rule.copies))
  } else if (rule.grouping !== 'none') {
    const held = new Map<string, Map<string, number>>()
    const complete = new Map<string, boolean>()
    for await (const page of filePages(tx, rule, did)) {
      const locked = await lockedOf(page)
      for (const f of page) {
        if (!held.has(f.group)) held.set(f.group, new Map())
        addHeld(held.get(f.group)!, {
          key: f.key,
          bytes: f.bytes,
          holders: holdersOf(f.replicas),
        })
        complete.set(f.group, (complete.get(f.group) ?? true) && locked.has(f.key))
      }
    }
    for (const [group, h] of held) {
      chosen.set(group, complete.get(group) ? null : chooseByHeld(h, placement, rule.copies))
    }
  }

  // Pass 2: locks, replica rows and transfer requests, a page at a time.
  const need = new Map<string, number>()
  let placed = 0
  for await (const page of filePages(tx, rule, did)) {
    const locked = await lockedOf(page)
    const lockRows = []
    const newReplicas = []
    const lockedReplicas = []
    const transfers: NewTransfer[] = []
    for (const f of page) {
      if (locked.has(f.key)) continue
      const existing = f.replicas
      const targets =
        rule.grouping === 'none'
          ? chooseEndpoints(
              [{ key: f.key, bytes: f.bytes, holders: holdersOf(existing) }],
              placement,
              rule.copies,
            )
          : chosen.get(f.group)
      if (!targets) continue
      for (const endpointId of targets) {
        const replica = existing.find((r) => r.endpoint_id === endpointId)
        const state = replica?.state === 'available' ? 'ok' : 'replicating'
        if (replica) lockedReplicas.push({ scope: f.scope, name: f.name, endpoint_id: endpointId })
        else {
          newReplicas.push({
            scope: f.scope,
            name: f.name,
            endpoint_id: endpointId,
            bytes: f.bytes,
            adler32: f.adler32,
            path: deterministicPath(f),
          })
        }
        if (state === 'replicating') {
          transfers.push({
            scope: f.scope,
            name: f.name,
            endpointId,
            activity: rule.activity,
            priority: rule.priority,
            bytes: f.bytes,
            adler32: f.adler32,
            sourceExpression: rule.source_expression,
            sourceEndpointId: chooseSource(existing, byId, allowed, endpointId),
            community: rule.account,
            createdBy: rule.created_by,
          })
        }
        need.set(endpointId, (need.get(endpointId) ?? 0) + f.bytes)
        lockRows.push({
          rule_id: rule.id,
          scope: f.scope,
          name: f.name,
          endpoint_id: endpointId,
          state,
          bytes: f.bytes,
          created_at: now,
          updated_at: now,
        })
      }
    }
    await addReplicaLocks(tx, lockedReplicas, now)
    await insertCopyingReplicas(tx, newReplicas, now)
    await transferQueue().enqueue(tx, now, transfers)
    await insertLockRows(tx, lockRows, { ruleHadNone: fresh })
    placed += lockRows.length
  }
  // The locks just written count in lockedBytesByEndpoint: compare the total with the quota.
  if (checkQuota) {
    await assertQuota(tx, rule.account, need, endpoints)
    await assertExpressionQuotas(tx, rule.account, need, endpoints)
    await assertStorageAllocations(tx, rule.account, need, endpoints, now)
  }
  await refreshRuleStates(tx, [rule.id], now)
  return placed
}

/**
 * Quotas bind every account, `root` included: on an endpoint where any quota is set, an account
 * may lock only what its own quota there allows (none set: nothing). Endpoints with no quota at
 * all are not quota-managed. So naming an account that has no quota escapes nothing.
 */
async function assertQuota(
  tx: Executor,
  owner: string,
  need: ReadonlyMap<string, number>,
  endpoints: Endpoint[],
): Promise<void> {
  const needed = [...need].filter(([, bytes]) => bytes > 0).map(([id]) => id)
  if (needed.length === 0) return
  const all = await listQuotaRows(tx)
  const managed = needed.filter((id) => all.some((q) => q.endpoint_id === id))
  if (managed.length === 0) return
  const used = await lockedBytesByEndpoint(tx, owner)
  for (const endpointId of managed) {
    const quota = all.find((q) => q.endpoint_id === endpointId && q.owner === owner)
    const limit = quota === undefined ? 0 : Number(quota.bytes)
    const extra = need.get(endpointId) ?? 0
    const total = used.get(endpointId) ?? 0
    if (total > limit) {
      const name = endpoints.find((e) => e.id === endpointId)?.name ?? endpointId
      const current = total - extra
      const why =
        quota === undefined
          ? `${owner} has no quota on ${name}, where quotas apply`
          : `the quota is ${limit}`
      throw new ContinuumError(
        'QUOTA_EXCEEDED',
        `${owner} would use ${total} bytes on ${name}; ${why} (${current} in use, this rule needs ${extra})`,
        {
          owner,
          endpoint: name,
          quotaBytes: limit,
          usedBytes: current,
          neededBytes: extra,
        },
      )
    }
  }
}
