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
    'addedBy' | 'addedAt' | 'changedBy' | 'changedAt'
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
    changedBy: r.changed_by,
    changedAt: r.changed_at === null ? null : new Date(r.changed_at).toISOString(),
  }))
}

/**
 * The group's memberships, locked until the transaction ends: a role change or a removal
 * checks that a coordinator remains, and two of them at once must not both pass that check.
 */
export async function lockMemberships(
  db: Executor,
  groupId: string,
): Promise<{ principal: string; role: PracticeRole }[]> {
  const rows = await db
    .selectFrom('practice_memberships')
    .select(['principal', 'role'])
    .where('working_group_id', '=', groupId)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.map((r) => ({ principal: r.principal, role: r.role as PracticeRole }))
}

export async function updateMembership(
  db: Executor,
  row: { groupId: string; principal: string; role?: PracticeRole; displayName?: string },
  by: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('practice_memberships')
    .set({
      ...(row.role === undefined ? {} : { role: row.role }),
      ...(row.displayName === undefined ? {} : { display_name: row.displayName }),
      changed_by: by,
      changed_at: at,
    })
    .where('working_group_id', '=', row.groupId)
    .where('principal', '=', row.principal)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function deleteMembership(
  db: Executor,
  groupId: string,
  principal: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('practice_memberships')
    .where('working_group_id', '=', groupId)
    .where('principal', '=', principal)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
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
    'id' | 'createdBy' | 'createdAt' | 'updatedBy' | 'updatedAt'
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
    updatedBy: r.updated_by,
    updatedAt: r.updated_at === null ? null : new Date(r.updated_at).toISOString(),
  }))
}

/** Who recorded a meeting of this group; null when the group has no meeting with this id. */
export async function selectMeetingRecorder(
  db: Executor,
  groupId: string,
  id: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('practice_meetings')
    .select('created_by')
    .where('working_group_id', '=', groupId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.created_by ?? null
}

export async function updateMeeting(
  db: Executor,
  row: { groupId: string; id: string } & Partial<
    Pick<Meeting, 'title' | 'heldOn' | 'notes' | 'decisions'>
  >,
  by: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('practice_meetings')
    .set({
      ...(row.title === undefined ? {} : { title: row.title }),
      ...(row.heldOn === undefined ? {} : { held_on: row.heldOn }),
      ...(row.notes === undefined ? {} : { notes: row.notes }),
      ...(row.decisions === undefined ? {} : { decisions: JSON.stringify(row.decisions) }),
      updated_by: by,
      updated_at: at,
    })
    .where('working_group_id', '=', row.groupId)
    .where('id', '=', row.id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
