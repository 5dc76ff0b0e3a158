/**
 * Working groups at work (D3.1): a group is a catalogue record (working_groups) owned by a
 * community; practice adds its charter history, memberships with roles and meeting records.
 * Whoever creates a group becomes its first coordinator.
 */
import { addRecordIn, getCommunity, listAllRecords, type WireRecord } from '../catalog/index.js'
import type {
  GroupCreate,
  GroupDetail,
  GroupSummary,
  Meeting,
  MeetingCreate,
  MemberAdd,
  Membership,
  PracticeRole,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import {
  insertCharter,
  insertMeeting,
  insertMembership,
  selectCharters,
  selectCounts,
  selectMeetings,
  selectMemberships,
  selectRoles,
} from './groups-store.js'

export interface GroupRef {
  id: string
  name: string
  title: string
  community: string
}

const toRef = (r: WireRecord): GroupRef => ({
  id: r.id,
  name: r.name,
  title: String(r.title),
  community: String(r.community),
})

/** The working group of this name; WORKING_GROUP_NOT_FOUND otherwise. */
export async function getGroupRef(db: Executor, name: string): Promise<GroupRef> {
  const found = (await listAllRecords(db, 'workingGroup')).find(
    (r) => r.name === name || r.id === name,
  )
  if (!found) {
    throw new ContinuumError('WORKING_GROUP_NOT_FOUND', `working group '${name}' not found`, {
      workingGroup: name,
    })
  }
  return toRef(found)
}

/** The caller's role in a group, or null: what the gate's policies decide on. */
export async function roleIn(ctx: Context, groupId: string): Promise<PracticeRole | null> {
  return (await selectRoles(ctx.db, ctx.actor.principal)).get(groupId) ?? null
}

export async function listGroups(ctx: Context): Promise<GroupSummary[]> {
  const groups = (await listAllRecords(ctx.db, 'workingGroup')).map(toRef)
  const counts = await selectCounts(ctx.db)
  const roles = await selectRoles(ctx.db, ctx.actor.principal)
  const out: GroupSummary[] = []
  for (const g of groups) {
    const charters = await selectCharters(ctx.db, g.id)
    out.push({
      name: g.name,
      title: g.title,
      community: g.community,
      charter: charters[0]?.charter ?? null,
      members: counts.get(g.id)?.members ?? 0,
      meetings: counts.get(g.id)?.meetings ?? 0,
      myRole: roles.get(g.id) ?? null,
    })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

export async function getGroup(ctx: Context, name: string): Promise<GroupDetail> {
  const g = await getGroupRef(ctx.db, name)
  const [charters, memberships, meetingRecords, myRole] = [
    await selectCharters(ctx.db, g.id),
    await selectMemberships(ctx.db, g.id),
    await selectMeetings(ctx.db, g.id),
    await roleIn(ctx, g.id),
  ]
  return {
    name: g.name,
    title: g.title,
    community: g.community,
    charter: charters[0]?.charter ?? null,
    members: memberships.length,
    meetings: meetingRecords.length,
    myRole,
    charters,
    memberships,
    meetingRecords,
  }
}

/** Creates the group with its charter; the caller becomes its coordinator. One transaction. */
export async function addGroup(ctx: Context, input: GroupCreate): Promise<GroupDetail> {
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    const record = await addRecordIn(tx, ctx.clock, 'workingGroup', {
      name: input.name,
      title: input.title,
      community: input.community,
    })
    await insertCharter(tx, {
      id: newId(),
      groupId: record.id,
      charter: input.charter,
      by: ctx.actor.principal,
      at: now,
    })
    await insertMembership(tx, {
      id: newId(),
      groupId: record.id,
      principal: ctx.actor.principal,
      displayName: input.displayName,
      community: input.community,
      role: 'coordinator',
      by: ctx.actor.principal,
      at: now,
    })
  })
  return getGroup(ctx, input.name)
}

/** Adopts a new charter; earlier ones stay in the history. */
export async function updateCharter(
  ctx: Context,
  group: string,
  charter: string,
): Promise<GroupDetail> {
  const g = await getGroupRef(ctx.db, group)
  await insertCharter(ctx.db, {
    id: newId(),
    groupId: g.id,
    charter,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  return getGroup(ctx, g.name)
}

export async function addMember(
  ctx: Context,
  group: string,
  input: MemberAdd,
): Promise<Membership> {
  const g = await getGroupRef(ctx.db, group)
  await getCommunity(ctx, input.community) // COMMUNITY_NOT_FOUND for a community that is not there
  await insertMembership(ctx.db, {
    id: newId(),
    groupId: g.id,
    ...input,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  const added = (await selectMemberships(ctx.db, g.id)).find((m) => m.principal === input.principal)
  return added!
}

export async function addMeeting(
  ctx: Context,
  group: string,
  input: MeetingCreate,
): Promise<Meeting> {
  const g = await getGroupRef(ctx.db, group)
  assertDay(input.heldOn, 'heldOn')
  const id = newId()
  const now = ctx.clock.now()
  await insertMeeting(ctx.db, {
    id,
    groupId: g.id,
    title: input.title,
    heldOn: input.heldOn,
    notes: input.notes ?? '',
    decisions: input.decisions ?? [],
    by: ctx.actor.principal,
    at: now,
  })
  return (await selectMeetings(ctx.db, g.id)).find((m) => m.id === id)!
}

/** The schema checks the shape; this refuses days that do not exist (2026-02-30). */
export function assertDay(value: string, field: string): void {
  const d = new Date(`${value}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new ContinuumError('VALIDATION_FAILED', `${field}: '${value}' is not a calendar day`, {
      errors: [{ field, message: 'not a calendar day' }],
    })
  }
}
