/**
 * Use cases of the namespace: scopes and data identifiers (files, datasets, containers), their
 * attachments, status and metadata. A name is never reused: deletion keeps the row, marked.
 */
import { getCommunity } from '../catalog/index.js'
import type {
  Attachment,
  DataScope,
  DataScopeCreate,
  DataScopeUpdate,
  Did,
  DidCreate,
  DidListQuery,
  DidRef,
  DidUpdate,
  Page,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import {
  actorSees,
  ContinuumError,
  decodeCursor,
  encodeCursor,
  type Actor,
} from '../platform/index.js'
import { assertDid, assertScope, formatDid, namespacePath } from './did-grammar.js'
import {
  deleteAllAttachments,
  deleteAttachmentRows,
  findDidRow,
  findScopeRow,
  insertAttachmentRows,
  insertDidRow,
  insertScopeRow,
  listAncestorKeys,
  listChildRows,
  listDidRows,
  listScopeRows,
  updateDidRow,
  updateScopeRow,
  type DidRow,
  type ScopeRow,
} from './dids-store.js'
import { parseMetaFilter } from './metadata-filter.js'
import { tombstoneReplicasOf } from './replicas-store.js'
import { listRuleIdsOn, markRulesForEvaluation } from './rules-store.js'

/**
 * The community a new scope belongs to: the one named, else the caller's only community that
 * the catalogue knows. A caller of several must say which; one of none (an admin, whose group is
 * no catalogue community) makes an installation scope, seen only by those who see everything.
 */
export async function scopeCommunityFor(
  ctx: Context,
  named: string | undefined,
): Promise<string | undefined> {
  if (named !== undefined) return named
  const known = await knownCommunities(ctx, ctx.actor)
  if (known.length === 1) return known[0]
  if (known.length > 1) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `community: you are a member of ${known.join(', ')}; say which community owns the scope`,
      { field: 'community' },
    )
  }
  return undefined
}

/** The actor's communities that the catalogue knows (group-derived names may not be one). */
export async function knownCommunities(ctx: Context, actor: Actor): Promise<string[]> {
  const out: string[] = []
  for (const name of actor.communities) {
    try {
      out.push((await getCommunity(ctx, name)).name)
    } catch (err) {
      if (!(err instanceof ContinuumError) || err.code !== 'COMMUNITY_NOT_FOUND') throw err
    }
  }
  return out
}

export async function addScope(ctx: Context, input: DataScopeCreate): Promise<DataScope> {
  assertScope(input.name)
  const named = await scopeCommunityFor(ctx, input.community)
  const community = named === undefined ? undefined : await getCommunity(ctx, named)
  const now = ctx.clock.now()
  await insertScopeRow(ctx.db, {
    name: input.name,
    account: input.account ?? ctx.actor.account,
    community_id: community?.id ?? null,
    public: input.public ?? false,
    created_at: now,
  })
  return getScope(ctx, input.name)
}

export async function getScope(ctx: Context, name: string): Promise<DataScope> {
  const row = await findScopeRow(ctx.db, name)
  if (!row) throw scopeNotFound(name)
  return toScope(row)
}

/** Marks a scope open data, or private again. */
export async function updateScope(
  ctx: Context,
  name: string,
  patch: DataScopeUpdate,
): Promise<DataScope> {
  assertScope(name)
  if (!(await updateScopeRow(ctx.db, name, { public: patch.public }))) throw scopeNotFound(name)
  return getScope(ctx, name)
}

/** The scopes the caller may see: their communities' and the open-data ones. */
export async function listScopes(ctx: Context): Promise<DataScope[]> {
  return (await listScopeRows(ctx.db))
    .filter((r) => r.public || actorSees(ctx.actor, r.community))
    .map(toScope)
}

/** Who owns a scope, for the gate: its community (`''`: the installation's own) and openness. */
export async function scopeTenancy(
  ctx: Context,
  name: string,
): Promise<{ community: string; public: boolean } | undefined> {
  const row = await findScopeRow(ctx.db, name)
  return row && { community: row.community ?? '', public: row.public }
}

export function scopeNotFound(name: string): ContinuumError {
  return new ContinuumError('SCOPE_NOT_FOUND', `scope '${name}' not found`, { scope: name })
}

function toScope(row: ScopeRow & { community: string | null }): DataScope {
  return {
    name: row.name,
    account: row.account,
    community: row.community,
    public: row.public,
    createdAt: row.created_at.toISOString(),
  }
}

export async function addDid(ctx: Context, input: DidCreate): Promise<Did> {
  assertDid(input)
  if (
    input.type !== 'file' &&
    (input.bytes !== undefined || input.adler32 !== undefined || input.sha256 !== undefined)
  ) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `bytes and checksums belong to files, not to a ${input.type}`,
      { field: 'bytes' },
    )
  }
  if (input.type === 'file' && input.monotonic !== undefined) {
    throw new ContinuumError('VALIDATION_FAILED', 'monotonic applies to datasets and containers', {
      field: 'monotonic',
    })
  }
  return ctx.db.transaction().execute(async (tx) => {
    if (!(await findScopeRow(tx, input.scope))) {
      throw new ContinuumError('SCOPE_NOT_FOUND', `scope '${input.scope}' not found`, {
        scope: input.scope,
      })
    }
    const now = ctx.clock.now()
    await insertDidRow(tx, {
      scope: input.scope,
      name: input.name,
      type: input.type,
      monotonic: input.monotonic ?? false,
      bytes: input.bytes ?? null,
      adler32: input.adler32 ?? null,
      sha256: input.sha256 ?? null,
      meta: input.meta ?? {},
      account: ctx.actor.account,
      created_by: ctx.actor.principal,
      created_at: now,
      updated_at: now,
    })
    return toDid(await mustFindDid(tx, input))
  })
}

export async function getDid(ctx: Context, ref: DidRef): Promise<Did> {
  assertDid(ref)
  return toDid(await mustFindDid(ctx.db, ref))
}

export async function listDids(ctx: Context, query: DidListQuery): Promise<Page<Did>> {
  assertScope(query.scope)
  const conditions = query.filter === undefined ? [] : parseMetaFilter(query.filter)
  const limit = query.limit ?? 50
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0]
  const rows = await listDidRows(ctx.db, {
    scope: query.scope,
    namePattern: query.name,
    type: query.type,
    conditions,
    after,
    limit: limit + 1,
  })
  const items = rows.slice(0, limit).map(toDid)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name]) : null }
}

export async function updateDid(ctx: Context, ref: DidRef, patch: DidUpdate): Promise<Did> {
  assertDid(ref)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await mustFindDid(tx, ref, true)
    const changes: Parameters<typeof updateDidRow>[2] = { updated_at: ctx.clock.now() }
    if (patch.status === 'closed') {
      if (row.type === 'file') {
        throw new ContinuumError(
          'VALIDATION_FAILED',
          'status: only datasets and containers open and close',
          { field: 'status' },
        )
      }
      changes.status = 'closed'
    }
    if (patch.meta !== undefined) {
      const meta = { ...row.meta }
      for (const [k, v] of Object.entries(patch.meta)) {
        if (v === null) delete meta[k]
        else meta[k] = v
      }
      if (Object.keys(meta).length > 100) {
        throw new ContinuumError('VALIDATION_FAILED', 'meta: at most 100 keys per identifier', {
          field: 'meta',
        })
      }
      changes.meta = meta
    }
    await updateDidRow(tx, ref, changes)
    return toDid(await mustFindDid(tx, ref))
  })
}

/**
 * Deletes an identifier: the row stays (so the name is never reused), attachments go, and its
 * replicas get a tombstone so that the reaper removes the bytes once no rule needs them.
 */
export async function deleteDid(ctx: Context, ref: DidRef): Promise<Did> {
  assertDid(ref)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await mustFindDid(tx, ref, true)
    const now = ctx.clock.now()
    await deleteAllAttachments(tx, ref)
    if (row.type === 'file') await tombstoneReplicasOf(tx, ref, now)
    await updateDidRow(tx, ref, { updated_at: now, deleted_at: now })
    return toDid({ ...row, updated_at: now })
  })
}

const allowedChild: Record<string, readonly string[]> = {
  dataset: ['file'],
  container: ['dataset', 'container'],
  file: [],
}

/** Attaches children to a dataset or container; all or nothing. Returns how many were new. */
export async function attachDids(
  ctx: Context,
  parent: DidRef,
  input: Attachment,
): Promise<{ attached: number }> {
  assertDid(parent)
  input.children.forEach(assertDid)
  return ctx.db.transaction().execute(async (tx) => {
    const p = await mustFindDid(tx, parent, true)
    if (p.type === 'file') throw attachError(parent, 'a file cannot hold other identifiers')
    if (p.status === 'closed') {
      throw new ContinuumError(
        'DID_CLOSED',
        `${formatDid(parent)} is closed; nothing can be attached`,
        { did: formatDid(parent) },
      )
    }
    const ancestors = p.type === 'container' ? await listAncestorKeys(tx, parent) : []
    for (const child of input.children) {
      const c = await mustFindDid(tx, child)
      if (!allowedChild[p.type]?.includes(c.type)) {
        throw attachError(parent, `a ${p.type} cannot hold a ${c.type} (${formatDid(child)})`)
      }
      const same = (k: DidRef) => k.scope === child.scope && k.name === child.name
      if (same(parent) || ancestors.some(same)) {
        throw attachError(parent, `attaching ${formatDid(child)} would form a cycle`)
      }
    }
    const attached = await insertAttachmentRows(tx, parent, input.children, ctx.clock.now())
    // Rules on this collection or above it must place the new content (dataset growth).
    if (attached > 0) {
      await markRulesForEvaluation(
        tx,
        await listRuleIdsOn(tx, [parent, ...(await listAncestorKeys(tx, parent))]),
      )
    }
    return { attached }
  })
}

export async function detachDids(
  ctx: Context,
  parent: DidRef,
  input: Attachment,
): Promise<{ detached: number }> {
  assertDid(parent)
  input.children.forEach(assertDid)
  return ctx.db.transaction().execute(async (tx) => {
    const p = await mustFindDid(tx, parent, true)
    if (p.monotonic) {
      throw new ContinuumError(
        'DID_CLOSED',
        `${formatDid(parent)} is monotonic: content can be added, never removed`,
        { did: formatDid(parent) },
      )
    }
    if (p.status === 'closed') {
      throw new ContinuumError(
        'DID_CLOSED',
        `${formatDid(parent)} is closed; its content cannot change`,
        { did: formatDid(parent) },
      )
    }
    return { detached: await deleteAttachmentRows(tx, parent, input.children) }
  })
}

export async function listContent(
  ctx: Context,
  parent: DidRef,
  query: { limit?: number; cursor?: string },
): Promise<Page<Did>> {
  assertDid(parent)
  await mustFindDid(ctx.db, parent)
  const limit = query.limit ?? 50
  const afterKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 2)
  const after = afterKey ? { scope: afterKey[0]!, name: afterKey[1]! } : undefined
  const rows = await listChildRows(ctx.db, parent, after, limit + 1)
  const items = rows.slice(0, limit).map(toDid)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.scope, last.name]) : null }
}

function attachError(parent: DidRef, problem: string): ContinuumError {
  return new ContinuumError(
    'DID_ATTACHMENT_INVALID',
    `cannot attach to ${formatDid(parent)}: ${problem}`,
    { did: formatDid(parent), problem },
  )
}

export async function mustFindDid(db: Executor, ref: DidRef, forUpdate = false): Promise<DidRow> {
  const row = await findDidRow(db, ref, { forUpdate })
  if (!row) {
    throw new ContinuumError('DID_NOT_FOUND', `data identifier '${formatDid(ref)}' not found`, {
      did: formatDid(ref),
    })
  }
  return row
}

export function toDid(row: DidRow): Did {
  return {
    scope: row.scope,
    name: row.name,
    type: row.type as Did['type'],
    status: row.status as Did['status'],
    monotonic: row.monotonic,
    bytes: row.bytes === null ? null : Number(row.bytes),
    adler32: row.adler32,
    sha256: row.sha256,
    meta: row.meta as Did['meta'],
    account: row.account,
    createdBy: row.created_by,
    path: namespacePath(row),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
