/**
 * A working group changes after it started (issue 21), on both backends through the gate:
 * coordinators change roles and remove members, a member leaves, a group never loses its last
 * coordinator, a meeting's record is corrected by a coordinator or whoever recorded it, and a
 * refused or malformed change leaves the group as it was.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { addTestGroup, practicePeople } from './support/practice.js'

const group = 'wg-test-changes'

describeEachBackend('practice: changing a working group', (fixture) => {
  const people = practicePeople(fixture)

  it('changes roles (coordinators only) and never demotes the last coordinator', async () => {
    const p = people()
    await addTestGroup(p, group)
    const { coordinator, member, reviewer, principal } = p
    await rejectsWith(
      member.practice.updateMember(group, { principal: principal('mem'), role: 'coordinator' }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      coordinator.practice.updateMember(group, { principal: principal('coord'), role: 'member' }),
      'PRACTICE_STATE_CONFLICT',
    )
    await rejectsWith(
      coordinator.practice.updateMember(group, { principal: principal('nobody') }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      coordinator.practice.updateMember(group, { principal: principal('nobody'), role: 'member' }),
      'MEMBER_NOT_FOUND',
    )
    await rejectsWith(
      coordinator.http.request('PATCH', `/practice/groups/${group}/members`, {
        body: { principal: principal('mem'), role: 'owner' },
      }),
      'VALIDATION_FAILED',
    )
    let detail = await member.practice.group(group)
    assert.deepEqual(
      detail.memberships.map((m) => [m.principal, m.role, m.changedBy]),
      [
        [principal('coord'), 'coordinator', null],
        [principal('rev'), 'reviewer', null],
        [principal('mem'), 'member', null],
      ],
      'refused changes changed nothing',
    )

    const promoted = await coordinator.practice.updateMember(group, {
      principal: principal('rev'),
      role: 'coordinator',
      displayName: 'Member B, now coordinating (synthetic)',
    })
    assert.equal(promoted.role, 'coordinator')
    assert.equal(promoted.changedBy, principal('coord'))
    assert.ok(promoted.changedAt)
    // With a second coordinator, the first may step down; the new one now runs the group.
    await coordinator.practice.updateMember(group, {
      principal: principal('coord'),
      role: 'member',
    })
    await rejectsWith(
      coordinator.practice.updateCharter(group, 'no longer mine to change'),
      'POLICY_DENIED',
    )
    await reviewer.practice.updateCharter(group, 'Gather, validate and publish requirements.')
    detail = await member.practice.group(group)
    assert.deepEqual(
      detail.memberships.map((m) => [m.displayName, m.role]),
      [
        ['Member A (synthetic)', 'member'],
        ['Member B, now coordinating (synthetic)', 'coordinator'],
        ['Member C (synthetic)', 'member'],
      ],
    )
  })

  it('removes members (coordinators), lets a member leave, and keeps the last coordinator', async () => {
    const { coordinator, member, reviewer, outsider, principal } = people()
    // coord is a plain member now, rev the only coordinator (previous test).
    await rejectsWith(member.practice.removeMember(group, principal('coord')), 'POLICY_DENIED')
    await rejectsWith(outsider.practice.removeMember(group, principal('mem')), 'POLICY_DENIED')
    await rejectsWith(
      reviewer.practice.removeMember(group, principal('rev')),
      'PRACTICE_STATE_CONFLICT',
    )
    await rejectsWith(
      reviewer.practice.removeMember(group, principal('nobody')),
      'MEMBER_NOT_FOUND',
    )
    await rejectsWith(reviewer.practice.removeMember(group, 'bad principal'), 'VALIDATION_FAILED')
    await rejectsWith(reviewer.practice.removeMember(group, 'x\u0000y'), 'VALIDATION_FAILED')
    assert.equal((await member.practice.group(group)).members, 3)

    await member.practice.removeMember(group, principal('mem')) // leaving
    await reviewer.practice.removeMember(group, principal('coord'))
    const detail = await reviewer.practice.group(group)
    assert.deepEqual(
      detail.memberships.map((m) => m.principal),
      [principal('rev')],
    )
    assert.equal((await member.practice.group(group)).myRole, null)
    // Gone members lose what membership gave them.
    await rejectsWith(
      member.practice.addMeeting(group, { title: 'after leaving', heldOn: '2026-03-01' }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      coordinator.practice.removeMember(group, principal('coord')),
      'MEMBER_NOT_FOUND',
    )
  })

  it("corrects a meeting's record: its recorder or a coordinator, nobody else", async () => {
    const p = people()
    const name = 'wg-test-meetings'
    await addTestGroup(p, name)
    const { coordinator, member, reviewer, outsider, principal } = p
    const m = await member.practice.addMeeting(name, {
      title: 'Kick-off',
      heldOn: '2026-02-10',
      notes: 'Discussed tape recall.',
      decisions: ['Survey until March'],
    })
    assert.equal(m.updatedBy, null)

    const fixed = await member.practice.updateMeeting(name, m.id, {
      decisions: ['Survey until April'],
    })
    assert.deepEqual(fixed.decisions, ['Survey until April'])
    assert.equal(fixed.notes, 'Discussed tape recall.', 'fields not given stay')
    assert.equal(fixed.updatedBy, principal('mem'))
    await rejectsWith(reviewer.practice.updateMeeting(name, m.id, { title: 'x' }), 'POLICY_DENIED')
    await rejectsWith(outsider.practice.updateMeeting(name, m.id, { title: 'x' }), 'POLICY_DENIED')
    const byCoordinator = await coordinator.practice.updateMeeting(name, m.id, {
      title: 'Kick-off meeting',
      heldOn: '2026-02-11',
    })
    assert.equal(byCoordinator.title, 'Kick-off meeting')
    assert.equal(byCoordinator.updatedBy, principal('coord'))

    await rejectsWith(coordinator.practice.updateMeeting(name, m.id, {}), 'VALIDATION_FAILED')
    await rejectsWith(
      coordinator.practice.updateMeeting(name, m.id, { heldOn: '2026-02-30' }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      coordinator.http.request('PATCH', `/practice/groups/${name}/meetings/${m.id}`, {
        body: { title: 'x', createdBy: 'someone else' },
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      coordinator.practice.updateMeeting(name, '00000000-0000-7000-8000-0000000000ff', {
        title: 'x',
      }),
      'MEETING_NOT_FOUND',
    )
    await rejectsWith(
      coordinator.http.request('PATCH', `/practice/groups/${name}/meetings/not-a-uuid`, {
        body: { title: 'x' },
      }),
      'VALIDATION_FAILED',
    )
    const [stored] = (await member.practice.group(name)).meetingRecords
    assert.deepEqual(
      [stored!.title, stored!.heldOn, stored!.decisions, stored!.createdBy],
      ['Kick-off meeting', '2026-02-11', ['Survey until April'], principal('mem')],
      'refused corrections changed nothing',
    )
  })
})
