/** The only code that touches practice_charters, practice_memberships and practice_meetings. */
import { mapDatabaseError, type Executor } from '../db/index.js'
import type { Meeting, Membership, PracticeRole } from '../contract/index.js'

export interface CharterRow {
  charter: string
  adoptedBy: string
  adoptedAt: string
}

export async function insertCharter(
  db: Executor,
  row: { id: string; groupId: string; charter: string; by: string; at: Date },
): Promise<void> {
  await db
    .insertInto('practice_charters')
    .values({
      id: row.id,
      working_group_id: row.groupId,
      charter: row.charter,
      adopted_by: row.by,
      adopted_at: row.at,
    })
    .execute()
}

export async function selectCharters(db: Executor, groupId: string): Promise<CharterRow[]> {
  const rows = await db
    .selectFrom('practice_charters')
    .select(['charter', 'adopted_by', 'adopted_at'])
    .where('working_group_id', '=', groupId)
    .orderBy('adopted_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return rows.map((r) => ({
    charter: r.charter,
    adoptedBy: r.adopted_by,
    adoptedAt: new Date(r.adopted_at).toISOString(),
  }))
}

export async function insertMembership(
  db: Executor,
  row: { id: string; groupId: string; at: Date; by: string } & Omit<
    Membership,
    'addedBy' | 'addedAt'
  >,
): Promise<void> {
  try {
    await db
      .insertInto('practice_memberships')
      .values({
        id: row.id,
        working_group_id: row.groupId,
        principal: row.principal,
        display_name: row.displayName,
        community: row.community,
        role: row.role,
        added_by: row.by,
        added_at: row.at,
      })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'MEMBER_ALREADY_EXISTS',
        message: `'${row.principal}' is a member of this working group already`,
      },
      details: { principal: row.principal },
    })
  }
}

export async function selectMemberships(db: Executor, groupId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom('practice_memberships')
    .selectAll()
    .where('working_group_id', '=', groupId)
    .orderBy('added_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    principal: r.principal,
    displayName: r.display_name,
    community: r.community,
    role: r.role as PracticeRole,
    addedBy: r.added_by,
    addedAt: new Date(r.added_at).toISOString(),
  }))
}

/** The principal's role in each group it belongs to. */
export async function selectRoles(
  db: Executor,
  principal: string,
): Promise<Map<string, PracticeRole>> {
  const rows = await db
    .selectFrom('practice_memberships')
    .select(['working_group_id', 'role'])
    .where('principal', '=', principal)
    .execute()
  return new Map(rows.map((r) => [r.working_group_id, r.role as PracticeRole]))
}

export async function selectCounts(
  db: Executor,
): Promise<Map<string, { members: number; meetings: number }>> {
  const members = await db
    .selectFrom('practice_memberships')
    .select(['working_group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('working_group_id')
    .execute()
  const meetings = await db
    .selectFrom('practice_meetings')
    .select(['working_group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('working_group_id')
    .execute()
  const out = new Map<string, { members: number; meetings: number }>()
  const at = (id: string) => out.get(id) ?? out.set(id, { members: 0, meetings: 0 }).get(id)!
  for (const r of members) at(r.working_group_id).members = Number(r.n)
  for (const r of meetings) at(r.working_group_id).meetings = Number(r.n)
  return out
}

export async function insertMeeting(
  db: Executor,
  row: { id: string; groupId: string; at: Date; by: string } & Omit<
    Meeting,
    'id' | 'createdBy' | 'createdAt'
  >,
): Promise<void> {
  await db
    .insertInto('practice_meetings')
    .values({
      id: row.id,
      working_group_id: row.groupId,
      title: row.title,
      held_on: row.heldOn,
      notes: row.notes,
      decisions: JSON.stringify(row.decisions),
      created_by: row.by,
      created_at: row.at,
    })
    .execute()
}

export async function selectMeetings(db: Executor, groupId: string): Promise<Meeting[]> {
  const rows = await db
    .selectFrom('practice_meetings')
    .selectAll()
    .where('working_group_id', '=', groupId)
    .orderBy('held_on', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    heldOn: r.held_on,
    notes: r.notes,
    decisions: r.decisions as string[],
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  }))
}
