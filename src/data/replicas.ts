/**
 * Use cases of replicas: bulk registration with per-item results (thousands per call, one
 * transaction, a few statements regardless of size), and listing with access URLs.
 */
import type {
  BulkResult,
  DidRef,
  Endpoint,
  ItemResult,
  Replica,
  ReplicaBulk,
} from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, isContinuumError } from '../platform/index.js'
import { assertDid, deterministicPath, formatDid } from './did-grammar.js'
import { findScopeRow, listFileKeysBelow } from './dids-store.js'
import { mustFindDid } from './dids.js'
import { mustFindEndpoint, protocolsFor, toEndpoint } from './endpoints.js'
import { addUsedBytes } from './endpoints-store.js'
import {
  fillFileChecksums,
  findFileFacts,
  insertMissingFiles,
  insertReplicaRows,
  listReplicaRowsOf,
  type BulkFile,
  type ReplicaRow,
} from './replicas-store.js'

/**
 * Registers replicas that exist on an endpoint already (e.g. after an upload or a site import).
 * Files not yet in the namespace are created; an existing file must agree on bytes and adler32.
 * Each item succeeds or fails alone; the call fails only if the endpoint is unknown.
 */
export async function registerReplicas(ctx: Context, input: ReplicaBulk): Promise<BulkResult> {
  const results: ItemResult[] = input.replicas.map((r) => ({
    item: `${r.scope}:${r.name}`,
    ok: true,
  }))
  const fail = (i: number, code: string, message: string) => {
    results[i] = { item: results[i]!.item, ok: false, error: { code, message } }
  }
  const candidates: Array<{ i: number; file: BulkFile }> = []
  const seen = new Set<string>()
  input.replicas.forEach((r, i) => {
    try {
      assertDid(r)
    } catch (err) {
      if (isContinuumError(err)) return fail(i, err.code, err.message)
      throw err
    }
    const key = `${r.scope}:${r.name}`
    if (seen.has(key)) return fail(i, 'VALIDATION_FAILED', `${key} appears twice in this call`)
    seen.add(key)
    candidates.push({
      i,
      file: {
        scope: r.scope,
        name: r.name,
        bytes: r.bytes,
        adler32: r.adler32,
        meta: JSON.stringify(r.meta ?? {}),
        path: deterministicPath(r),
        state: r.state ?? 'available',
      },
    })
  })

  await ctx.db.transaction().execute(async (tx) => {
    const endpoint = await mustFindEndpoint(tx, input.endpoint)
    const now = ctx.clock.now()
    const scopes = new Map<string, boolean>()
    for (const scope of new Set(candidates.map((c) => c.file.scope))) {
      scopes.set(scope, (await findScopeRow(tx, scope)) !== undefined)
    }
    let live = candidates.filter(
      ({ i, file }) =>
        scopes.get(file.scope) ||
        void fail(i, 'SCOPE_NOT_FOUND', `scope '${file.scope}' not found`),
    )

    const created = await insertMissingFiles(
      tx,
      live.map((c) => c.file),
      ctx.actor,
      now,
    )
    // Files created just now agree with their replica by construction; check only the others.
    const existing = live
      .filter((c) => !created.has(`${c.file.scope}:${c.file.name}`))
      .map((c) => c.file)
    const facts = new Map(
      (await findFileFacts(tx, existing)).map((f) => [`${f.scope}:${f.name}`, f]),
    )
    const toFill: Array<{ scope: string; name: string; bytes: number; adler32: string }> = []
    live = live.filter(({ i, file }) => {
      const did = `${file.scope}:${file.name}`
      if (created.has(did)) return true
      const f = facts.get(did)
      if (!f || f.deleted) {
        return void fail(i, 'DID_ALREADY_EXISTS', `${did} was deleted; names are never reused`)
      }
      if (f.type !== 'file') {
        return void fail(i, 'DID_ATTACHMENT_INVALID', `${did} is a ${f.type}, not a file`)
      }
      if (f.bytes === null && f.adler32 === null) toFill.push(file)
      else if (Number(f.bytes) !== file.bytes || f.adler32 !== file.adler32) {
        return void fail(
          i,
          'CHECKSUM_MISMATCH',
          `${did}: registered as ${f.bytes ?? '?'} bytes adler32 ${f.adler32 ?? '?'}, this replica has ${file.bytes} bytes adler32 ${file.adler32}`,
        )
      }
      return true
    })
    await fillFileChecksums(tx, toFill)
    const inserted = new Set(
      (
        await insertReplicaRows(
          tx,
          endpoint.id,
          live.map((c) => c.file),
          now,
        )
      ).map((k) => `${k.scope}:${k.name}`),
    )
    let bytes = 0
    for (const { i, file } of live) {
      if (inserted.has(`${file.scope}:${file.name}`)) bytes += file.bytes
      else {
        fail(
          i,
          'REPLICA_ALREADY_EXISTS',
          `${file.scope}:${file.name} has a replica on ${endpoint.name} already`,
        )
      }
    }
    await addUsedBytes(tx, endpoint.id, bytes)
  })
  const ok = results.filter((r) => r.ok).length
  return { results, ok, failed: results.length - ok }
}

/** Replicas of a file, or of every file below a dataset or container; with URLs, best protocol first. */
export async function listReplicas(ctx: Context, ref: DidRef): Promise<Replica[]> {
  assertDid(ref)
  const did = await mustFindDid(ctx.db, ref)
  const keys = did.type === 'file' ? [ref] : await listFileKeysBelow(ctx.db, ref)
  const rows: ReplicaRow[] = []
  for (let i = 0; i < keys.length; i += 500) {
    rows.push(...(await listReplicaRowsOf(ctx.db, keys.slice(i, i + 500))))
  }
  const endpoints = new Map<string, Endpoint>()
  const out: Replica[] = []
  for (const row of rows) {
    let endpoint = endpoints.get(row.endpoint_id)
    if (!endpoint) {
      endpoints.set(
        row.endpoint_id,
        (endpoint = toEndpoint(await mustFindEndpoint(ctx.db, row.endpoint_id))),
      )
    }
    out.push(toReplica(row, endpoint))
  }
  return out
}

/** Access URL of a path on an endpoint through one of its protocols. */
export function replicaUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`
}

export function toReplica(row: ReplicaRow, endpoint: Endpoint): Replica {
  return {
    scope: row.scope,
    name: row.name,
    endpoint: row.endpoint,
    state: row.state as Replica['state'],
    bytes: Number(row.bytes),
    adler32: row.adler32,
    path: row.path,
    urls: protocolsFor(endpoint, 'read').map((p) => replicaUrl(p.url, row.path)),
    lockCount: row.lock_count,
    tombstone: row.tombstone === null ? null : new Date(row.tombstone).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

export function replicaNotFound(ref: DidRef, endpoint: string): ContinuumError {
  return new ContinuumError(
    'REPLICA_NOT_FOUND',
    `${formatDid(ref)} has no replica on ${endpoint}`,
    { did: formatDid(ref), endpoint },
  )
}
