/** What a community's rules hold on some endpoints: bytes now and byte-days (allocations). */
import { sql } from 'kysely'
import type { Executor } from '../db/index.js'

/**
 * Bytes the community's rules lock on `endpointIds` now, and byte-days: each lock's bytes times
 * the days since it was made (or since `since`, if later), plus the byte-days of locks already
 * released (deleted rules, kept in released_locks_ledger) within the same window.
 */
export async function heldOnEndpoints(
  db: Executor,
  community: string,
  endpointIds: readonly string[],
  since: Date,
  now: Date,
): Promise<{ heldBytes: number; byteDays: number }> {
  if (endpointIds.length === 0) return { heldBytes: 0, byteDays: 0 }
  const ids = sql.join(endpointIds.map((id) => sql`${id}::uuid`))
  const held = await sql<{ bytes: number; byte_days: number }>`
    select coalesce(sum(l.bytes), 0)::float8 as bytes,
      coalesce(sum(l.bytes * greatest(0, extract(epoch from ${now}::timestamptz - greatest(l.created_at, ${since}::timestamptz)) / 86400.0)), 0)::float8 as byte_days
    from data_locks l join data_rules r on r.id = l.rule_id
    where r.account = ${community} and l.endpoint_id in (${ids})`.execute(db)
  const released = await sql<{ byte_days: number }>`
    select coalesce(sum(bytes * extract(epoch from least(held_until, ${now}::timestamptz) - greatest(held_from, ${since}::timestamptz)) / 86400.0), 0)::float8 as byte_days
    from released_locks_ledger
    where community = ${community} and endpoint_id in (${ids})
      and held_until > ${since} and held_from < ${now}`.execute(db)
  return {
    heldBytes: Number(held.rows[0]?.bytes ?? 0),
    byteDays: Number(held.rows[0]?.byte_days ?? 0) + Number(released.rows[0]?.byte_days ?? 0),
  }
}
