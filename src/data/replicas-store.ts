/** The only code that reads and writes data_replicas (and the file rows bulk registration creates). */
import { sql, type Selectable } from 'kysely'
import type { DataReplicasTable, Executor } from '../db/index.js'

export type ReplicaRow = Selectable<DataReplicasTable> & { endpoint: string }
type Key = { scope: string; name: string }

export interface BulkFile {
  scope: string
  name: string
  bytes: number
  adler32: string
  meta: string
  path: string
  state: string
}

/**
 * Creates missing file rows for a batch in one statement (arrays + unnest keep it to one round
 * trip and below the parameter limit at 10k rows). Existing identifiers are left alone.
 */
export async function insertMissingFiles(
  db: Executor,
  files: BulkFile[],
  by: { account: string; principal: string },
  now: Date,
): Promise<Set<string>> {
  if (files.length === 0) return new Set()
  const result = await sql<Key>`
    insert into data_dids (scope, name, type, bytes, adler32, meta, account, created_by, created_at, updated_at)
    select u.scope, u.name, 'file', u.bytes, u.adler32, u.meta::jsonb, ${by.account}, ${by.principal}, ${now}, ${now}
    from unnest(${files.map((f) => f.scope)}::text[], ${files.map((f) => f.name)}::text[], ${files.map((f) => f.bytes)}::bigint[],
                ${files.map((f) => f.adler32)}::text[], ${files.map((f) => f.meta)}::text[]) as u(scope, name, bytes, adler32, meta)
    on conflict (scope, name) do nothing
    returning scope, name`.execute(db)
  return new Set(result.rows.map((r) => `${r.scope}:${r.name}`))
}

export interface FileFacts extends Key {
  type: string
  bytes: number | null
  adler32: string | null
  deleted: boolean
}

export async function findFileFacts(db: Executor, keys: Key[]): Promise<FileFacts[]> {
  if (keys.length === 0) return []
  const result = await sql<FileFacts>`
    select d.scope, d.name, d.type, d.bytes, d.adler32, d.deleted_at is not null as deleted
    from unnest(${keys.map((k) => k.scope)}::text[], ${keys.map((k) => k.name)}::text[]) as u(scope, name)
    join data_dids d on d.scope = u.scope and d.name = u.name`.execute(db)
  return result.rows
}

/** Sets bytes/adler32 on files that had none yet (a file declared before its first replica). */
export async function fillFileChecksums(
  db: Executor,
  files: Array<Key & { bytes: number; adler32: string }>,
): Promise<void> {
  if (files.length === 0) return
  await sql`
    update data_dids d set bytes = u.bytes, adler32 = u.adler32
    from unnest(${files.map((f) => f.scope)}::text[], ${files.map((f) => f.name)}::text[], ${files.map((f) => f.bytes)}::bigint[], ${files.map((f) => f.adler32)}::text[])
      as u(scope, name, bytes, adler32)
    where d.scope = u.scope and d.name = u.name and d.bytes is null and d.adler32 is null`.execute(
    db,
  )
}

/** Inserts replicas; returns the keys actually inserted (others existed already). */
export async function insertReplicaRows(
  db: Executor,
  endpointId: string,
  files: BulkFile[],
  now: Date,
): Promise<Key[]> {
  if (files.length === 0) return []
  const result = await sql<Key>`
    insert into data_replicas (scope, name, endpoint_id, state, bytes, adler32, path, created_at, updated_at)
    select u.scope, u.name, ${endpointId}::uuid, u.state, u.bytes, u.adler32, u.path, ${now}, ${now}
    from unnest(${files.map((f) => f.scope)}::text[], ${files.map((f) => f.name)}::text[], ${files.map((f) => f.state)}::text[],
                ${files.map((f) => f.bytes)}::bigint[], ${files.map((f) => f.adler32)}::text[], ${files.map((f) => f.path)}::text[])
      as u(scope, name, state, bytes, adler32, path)
    on conflict (scope, name, endpoint_id) do nothing
    returning scope, name`.execute(db)
  return result.rows
}

function selectReplicas(db: Executor) {
  return db
    .selectFrom('data_replicas as r')
    .innerJoin('storage_endpoints as e', 'e.id', 'r.endpoint_id')
    .selectAll('r')
    .select('e.name as endpoint')
}

export async function listReplicaRowsOf(db: Executor, keys: Key[]): Promise<ReplicaRow[]> {
  if (keys.length === 0) return []
  return selectReplicas(db)
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('r.scope', '=', k.scope), eb('r.name', '=', k.name)]))),
    )
    .orderBy('r.scope')
    .orderBy('r.name')
    .orderBy('e.name')
    .execute()
}

export async function findReplicaRow(
  db: Executor,
  key: Key,
  endpointId: string,
  forUpdate = false,
): Promise<ReplicaRow | undefined> {
  let query = selectReplicas(db)
    .where('r.scope', '=', key.scope)
    .where('r.name', '=', key.name)
    .where('r.endpoint_id', '=', endpointId)
  if (forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function updateReplicaRow(
  db: Executor,
  key: Key,
  endpointId: string,
  changes: { state?: string; tombstone?: Date | null; lock_count?: number; updated_at: Date },
): Promise<void> {
  await db
    .updateTable('data_replicas')
    .set(changes)
    .where('scope', '=', key.scope)
    .where('name', '=', key.name)
    .where('endpoint_id', '=', endpointId)
    .execute()
}

export async function deleteReplicaRow(db: Executor, key: Key, endpointId: string): Promise<void> {
  await db
    .deleteFrom('data_replicas')
    .where('scope', '=', key.scope)
    .where('name', '=', key.name)
    .where('endpoint_id', '=', endpointId)
    .execute()
}

/** Marks every unlocked replica of a file for deletion (the reaper honours the grace period). */
export async function tombstoneReplicasOf(db: Executor, key: Key, now: Date): Promise<void> {
  await db
    .updateTable('data_replicas')
    .set({ tombstone: now, updated_at: now })
    .where('scope', '=', key.scope)
    .where('name', '=', key.name)
    .where('lock_count', '=', 0)
    .execute()
}

/** Adds (or removes) rule locks on a replica; at zero locks the replica gets a tombstone. */
export async function changeReplicaLocks(
  db: Executor,
  key: Key,
  endpointId: string,
  delta: number,
  now: Date,
): Promise<void> {
  await sql`
    update data_replicas set
      lock_count = greatest(lock_count + ${delta}, 0),
      tombstone = case when lock_count + ${delta} <= 0 then ${now}::timestamptz else null end,
      updated_at = ${now}
    where scope = ${key.scope} and name = ${key.name} and endpoint_id = ${endpointId}`.execute(db)
}

export async function insertCopyingReplica(
  db: Executor,
  row: {
    scope: string
    name: string
    endpoint_id: string
    bytes: number
    adler32: string | null
    path: string
    lock_count: number
    now: Date
  },
): Promise<void> {
  await db
    .insertInto('data_replicas')
    .values({
      scope: row.scope,
      name: row.name,
      endpoint_id: row.endpoint_id,
      state: 'copying',
      bytes: row.bytes,
      adler32: row.adler32,
      path: row.path,
      lock_count: row.lock_count,
      created_at: row.now,
      updated_at: row.now,
    })
    .execute()
}

/**
 * The next tombstoned replica whose grace period is over, locked for this transaction so that
 * no rule can lock it while its bytes are being deleted (other reapers skip it).
 */
export async function lockReapableReplica(
  db: Executor,
  before: Date,
  endpointIds?: string[],
): Promise<ReplicaRow | undefined> {
  let query = selectReplicas(db)
    .where('r.tombstone', 'is not', null)
    .where('r.tombstone', '<=', before)
    .where('r.lock_count', '=', 0)
    .where('e.available_delete', '=', true)
  if (endpointIds) {
    if (endpointIds.length === 0) return undefined
    query = query.where('r.endpoint_id', 'in', endpointIds)
  }
  return query.orderBy('r.tombstone').limit(1).forUpdate('r').skipLocked().executeTakeFirst()
}

/**
 * One more lock on each of these existing replicas (batched): the tombstone goes, and a replica
 * marked bad or unavailable is copied again.
 */
export async function addReplicaLocks(
  db: Executor,
  replicas: Array<Key & { endpoint_id: string }>,
  now: Date,
): Promise<void> {
  for (let i = 0; i < replicas.length; i += 5000) {
    const b = replicas.slice(i, i + 5000)
    await sql`
      update data_replicas r set lock_count = r.lock_count + 1, tombstone = null, updated_at = ${now},
        state = case when r.state in ('bad', 'unavailable') then 'copying' else r.state end
      from unnest(${b.map((k) => k.scope)}::text[], ${b.map((k) => k.name)}::text[], ${b.map((k) => k.endpoint_id)}::uuid[]) as u(scope, name, endpoint_id)
      where r.scope = u.scope and r.name = u.name and r.endpoint_id = u.endpoint_id`.execute(db)
  }
}

/** Rows of replicas about to be copied, one lock each (batched). */
export async function insertCopyingReplicas(
  db: Executor,
  rows: Array<Key & { endpoint_id: string; bytes: number; adler32: string | null; path: string }>,
  now: Date,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000)
    await sql`
      insert into data_replicas (scope, name, endpoint_id, state, bytes, adler32, path, lock_count, created_at, updated_at)
      select u.scope, u.name, u.endpoint_id, 'copying', u.bytes, u.adler32, u.path, 1, ${now}, ${now}
      from unnest(${b.map((r) => r.scope)}::text[], ${b.map((r) => r.name)}::text[], ${b.map((r) => r.endpoint_id)}::uuid[],
                  ${b.map((r) => r.bytes)}::bigint[], ${b.map((r) => r.adler32)}::text[], ${b.map((r) => r.path)}::text[])
        as u(scope, name, endpoint_id, bytes, adler32, path)`.execute(db)
  }
}
