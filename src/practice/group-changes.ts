/**
 * Changes to a working group after it started: a member's role or display name, a member
 * leaving or removed, a meeting's record corrected. A group always keeps a coordinator: the
 * change that would remove or demote its last one is refused, checked with the group's
 * memberships locked so two changes at once cannot both pass.
 */
import type { Meeting, MeetingUpdate, MemberUpdate, Membership } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import {
  deleteMembership,
  lockMemberships,
  selectMeetingRecorder,
  selectMeetings,
  selectMemberships,
  updateMeeting as updateMeetingRow,
  updateMembership,
} from './groups-store.js'
import { assertDay, getGroupRef } from './groups.js'

export async function updateMember(
  ctx: Context,
  group: string,
  input: MemberUpdate,
): Promise<Membership> {
  if (input.role === undefined && input.displayName === undefined) {
    throw new ContinuumError('VALIDATION_FAILED', 'give a new role, a new display name or both', {
      errors: [{ field: 'role', message: 'role or displayName is required' }],
    })
  }
  const g = await getGroupRef(ctx.db, group)
  await ctx.db.transaction().execute(async (tx) => {
    const members = await lockMemberships(tx, g.id)
    const current = members.find((m) => m.principal === input.principal)
    if (!current) throw memberNotFound(g.name, input.principal)
    if (
      current.role === 'coordinator' &&
      input.role !== undefined &&
      input.role !== 'coordinator'
    ) {
      assertAnotherCoordinator(g.name, members, input.principal)
    }
    await updateMembership(tx, { groupId: g.id, ...input }, ctx.actor.principal, ctx.clock.now())
  })
  return (await selectMemberships(ctx.db, g.id)).find((m) => m.principal === input.principal)!
}

/** Removes a membership (a coordinator's decision, or the member leaving). */
export async function removeMember(ctx: Context, group: string, principal: string): Promise<void> {
  const g = await getGroupRef(ctx.db, group)
  await ctx.db.transaction().execute(async (tx) => {
    const members = await lockMemberships(tx, g.id)
    const current = members.find((m) => m.principal === principal)
    if (!current) throw memberNotFound(g.name, principal)
    if (current.role === 'coordinator') assertAnotherCoordinator(g.name, members, principal)
    await deleteMembership(tx, g.id, principal)
  })
}

/** Corrects a meeting's record; fields not given stay as they are. */
export async function updateMeeting(
  ctx: Context,
  group: string,
  id: string,
  input: MeetingUpdate,
): Promise<Meeting> {
  const g = await getGroupRef(ctx.db, group)
  if (input.heldOn !== undefined) assertDay(input.heldOn, 'heldOn')
  const found = await updateMeetingRow(
    ctx.db,
    { groupId: g.id, id, ...input },
    ctx.actor.principal,
    ctx.clock.now(),
  )
  if (!found) throw meetingNotFound(g.name, id)
  return (await selectMeetings(ctx.db, g.id)).find((m) => m.id === id)!
}

/** Who recorded a meeting of the group (the gate's `recordedByCaller`); MEETING_NOT_FOUND otherwise. */
export async function meetingRecorder(ctx: Context, group: string, id: string): Promise<string> {
  const g = await getGroupRef(ctx.db, group)
  const by = await selectMeetingRecorder(ctx.db, g.id, id)
  if (by === null) throw meetingNotFound(g.name, id)
  return by
}

function assertAnotherCoordinator(
  group: string,
  members: { principal: string; role: string }[],
  leaving: string,
): void {
  if (!members.some((m) => m.role === 'coordinator' && m.principal !== leaving)) {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `'${leaving}' is the last coordinator of ${group}: make another member coordinator first`,
      { workingGroup: group, principal: leaving },
    )
  }
}

const memberNotFound = (group: string, principal: string) =>
  new ContinuumError('MEMBER_NOT_FOUND', `'${principal}' is not a member of ${group}`, {
    workingGroup: group,
    principal,
  })

const meetingNotFound = (group: string, id: string) =>
  new ContinuumError('MEETING_NOT_FOUND', `${group} has no meeting ${id}`, {
    workingGroup: group,
    meeting: id,
  })
