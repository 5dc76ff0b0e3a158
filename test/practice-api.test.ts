/**
 * Communities of practice over HTTP on both backends, through the gate: a working group with
 * roles and meetings, findings changing state through interviews, a draft's threaded
 * consultation, the hub search, refusals for non-members, bad input that changes nothing, and
 * the demo's seed. Surveys are in practice-survey.test.ts.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { addCommunity } from '../src/catalog/index.js'
import { seedDemoPractice } from '../src/practice/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { practicePeople } from './support/practice.js'

const group = 'wg-test-requirements'

describeEachBackend('practice: working groups, interviews, consultations, hub', (fixture) => {
  const people = practicePeople(fixture)
  it('creates a working group whose creator coordinates it, and adds members with roles', async () => {
    const { coordinator, member, principal } = people()
    const g = await coordinator.practice.addGroup({
      name: group,
      title: 'Requirements (test)',
      community: 'atlas',
      charter: 'Gather requirements.',
      displayName: 'Member A (synthetic)',
    })
    assert.equal(g.myRole, 'coordinator')
    assert.equal(g.charter, 'Gather requirements.')
    await coordinator.practice.addMember(group, {
      principal: principal('rev'),
      displayName: 'Member B (synthetic)',
      community: 'lofar',
      role: 'reviewer',
    })
    await coordinator.practice.addMember(group, {
      principal: principal('mem'),
      displayName: 'Member C (synthetic)',
      community: 'ska',
      role: 'member',
    })
    await rejectsWith(
      coordinator.practice.addMember(group, {
        principal: principal('mem'),
        displayName: 'again',
        community: 'ska',
        role: 'member',
      }),
      'MEMBER_ALREADY_EXISTS',
    )
    await rejectsWith(
      coordinator.practice.addMember(group, {
        principal: principal('x'),
        displayName: 'X',
        community: 'no-such-community',
        role: 'member',
      }),
      'COMMUNITY_NOT_FOUND',
    )
    await coordinator.practice.updateCharter(group, 'Gather and validate requirements.')
    const detail = await member.practice.group(group)
    assert.equal(detail.myRole, 'member')
    assert.deepEqual(
      detail.memberships.map((m) => [m.displayName, m.role]),
      [
        ['Member A (synthetic)', 'coordinator'],
        ['Member B (synthetic)', 'reviewer'],
        ['Member C (synthetic)', 'member'],
      ],
    )
    assert.equal(detail.charters.length, 2)
    assert.equal(detail.charter, 'Gather and validate requirements.')
    assert.equal(detail.charters[1]!.adoptedBy, principal('coord'))
  })

  it('lets members record meetings and refuses non-members and non-coordinators', async () => {
    const { member, outsider, principal } = people()
    const m = await member.practice.addMeeting(group, {
      title: 'First meeting',
      heldOn: '2026-02-10',
      notes: 'Discussed tape recall.',
      decisions: ['Survey until March'],
    })
    assert.equal(m.createdBy, principal('mem'))
    assert.deepEqual(m.decisions, ['Survey until March'])
    // in the group's community, but not in the group
    await rejectsWith(
      outsider.practice.addMeeting(group, { title: 'x', heldOn: '2026-02-11' }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      member.practice.addMember(group, {
        principal: principal('out'),
        displayName: 'D',
        community: 'atlas',
        role: 'coordinator',
      }),
      'POLICY_DENIED',
    )
    // a group may only be created in one of one's own communities
    await rejectsWith(
      member.practice.addGroup({
        name: 'wg-other',
        title: 'Other',
        community: 'atlas',
        charter: 'x',
        displayName: 'X',
      }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      member.practice.addMeeting(group, { title: 'x', heldOn: '2026-02-30' }),
      'VALIDATION_FAILED',
    )
    assert.equal((await member.practice.group(group)).meetingRecords.length, 1)
  })

  it('moves findings through interviews: validated or contested only with an interview behind it', async () => {
    const { reviewer, member, outsider, principal } = people()
    await member.practice.addFinding({
      name: 'multi-year',
      workingGroup: group,
      statement: 'Communities need multi-year allocations.',
    })
    await rejectsWith(
      outsider.practice.addFinding({ name: 'x', workingGroup: group, statement: 'x' }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      reviewer.practice.setFindingStatus('multi-year', 'validated'),
      'PRACTICE_STATE_CONFLICT',
      'no interview supports it',
    )
    const interview = await member.practice.addInterview({
      workingGroup: group,
      interviewee: 'Member E (synthetic)',
      protocol: 'semi-structured, 45 min',
      heldOn: '2026-03-02',
      findings: [{ finding: 'multi-year', stance: 'supports', note: 'strongly' }],
    })
    assert.deepEqual(interview.findings, [
      { finding: 'multi-year', stance: 'supports', note: 'strongly' },
    ])
    await rejectsWith(member.practice.setFindingStatus('multi-year', 'validated'), 'POLICY_DENIED')
    const validated = await reviewer.practice.setFindingStatus('multi-year', 'validated', 'ok')
    assert.deepEqual(
      [validated.status, validated.statusBy, validated.supports],
      ['validated', principal('rev'), 1],
    )
    await rejectsWith(
      reviewer.practice.setFindingStatus('multi-year', 'validated'),
      'PRACTICE_STATE_CONFLICT',
    )
    await rejectsWith(
      reviewer.practice.setFindingStatus('multi-year', 'contested'),
      'PRACTICE_STATE_CONFLICT',
    )
    await member.practice.addInterview({
      workingGroup: group,
      interviewee: 'Member F (synthetic)',
      protocol: 'semi-structured, 45 min',
      heldOn: '2026-03-05',
      findings: [{ finding: 'multi-year', stance: 'contests' }],
    })
    assert.equal(
      (await reviewer.practice.setFindingStatus('multi-year', 'contested')).status,
      'contested',
    )
    assert.equal((await reviewer.practice.setFindingStatus('multi-year', 'open')).status, 'open')
    await rejectsWith(
      member.practice.addInterview({
        workingGroup: group,
        interviewee: 'G',
        protocol: 'p',
        heldOn: '2026-03-06',
        findings: [{ finding: 'no-such-finding', stance: 'supports' }],
      }),
      'FINDING_NOT_FOUND',
    )
    assert.equal(
      (await member.practice.interviews(group)).length,
      2,
      'the refused one left nothing',
    )
  })

  it('runs a consultation with threaded comments and resolutions', async () => {
    const { coordinator, member, outsider, principal } = people()
    await member.practice.addDraft({
      name: 'access-chapter',
      title: 'Access chapter',
      workingGroup: group,
      body: 'Providers should offer multi-year allocations across infrastructures.',
    })
    await rejectsWith(
      outsider.practice.comment('access-chapter', { body: 'too early' }),
      'PRACTICE_STATE_CONFLICT',
    )
    await rejectsWith(member.practice.publishDraft('access-chapter'), 'POLICY_DENIED')
    await rejectsWith(
      coordinator.http.request('PUT', '/practice/drafts/access-chapter/status', {
        body: { status: 'draft' },
      }),
      'VALIDATION_FAILED',
    )
    await coordinator.practice.publishDraft('access-chapter')
    await rejectsWith(
      coordinator.practice.publishDraft('access-chapter'),
      'PRACTICE_STATE_CONFLICT',
    )
    // open consultation: anyone signed in may comment, also outside the group
    const top = await outsider.practice.comment('access-chapter', { body: 'Which AAI?' })
    const reply = await member.practice.comment('access-chapter', { body: 'Both.', parent: top.id })
    assert.equal(reply.parent, top.id)
    await rejectsWith(
      outsider.practice.comment('access-chapter', {
        body: 'x',
        parent: '00000000-0000-7000-8000-000000000000',
      }),
      'COMMENT_NOT_FOUND',
    )
    await rejectsWith(
      outsider.practice.resolveComment('access-chapter', top.id, {
        resolution: 'accepted',
        note: 'mine',
      }),
      'POLICY_DENIED',
    )
    const resolved = await coordinator.practice.resolveComment('access-chapter', top.id, {
      resolution: 'answered',
      note: 'Both, federated.',
    })
    assert.deepEqual(
      [resolved.status, resolved.resolution, resolved.resolvedBy],
      ['answered', 'Both, federated.', principal('coord')],
    )
    await rejectsWith(
      coordinator.practice.resolveComment('access-chapter', top.id, {
        resolution: 'rejected',
        note: 'x',
      }),
      'PRACTICE_STATE_CONFLICT',
    )
    await coordinator.practice.closeDraft('access-chapter')
    await rejectsWith(
      outsider.practice.comment('access-chapter', { body: 'late' }),
      'PRACTICE_STATE_CONFLICT',
    )
    const d = await outsider.practice.draft('access-chapter')
    assert.equal(d.status, 'closed')
    assert.deepEqual(
      d.comments.map((c) => [c.body, c.parent === null ? 'top' : 'reply', c.status]),
      [
        ['Which AAI?', 'top', 'answered'],
        ['Both.', 'reply', 'open'],
      ],
    )
  })

  it('searches the knowledge hub across groups, meetings, findings, drafts and comments', async () => {
    const { outsider } = people()
    const finds = async (q: string, kind: string) => {
      const hits = await outsider.practice.search(q)
      assert.ok(
        hits.some((h) => h.kind === kind && h.workingGroup === group),
        `'${q}' finds a ${kind}: ${JSON.stringify(hits)}`,
      )
    }
    await finds('tape recall', 'meeting')
    await finds('MULTI-YEAR', 'finding')
    await finds('multi-year allocations across', 'draft')
    await finds('which aai', 'comment')
    await finds('federated', 'comment') // in a resolution
    await finds('validate requirements', 'working-group')
    // LIKE wildcards in the query are literal
    assert.deepEqual(await outsider.practice.search('%'), [])
    assert.deepEqual(await outsider.practice.search('_'), [])
    await rejectsWith(outsider.practice.search(''), 'VALIDATION_FAILED')
  })

  it('refuses malformed requests with VALIDATION_FAILED', async () => {
    const { coordinator } = people()
    const bad: Array<[string, string, unknown]> = [
      [
        'POST',
        '/practice/groups',
        { name: 'BAD NAME', title: 't', community: 'atlas', charter: 'c', displayName: 'd' },
      ],
      ['POST', `/practice/groups/${group}/meetings`, { title: 't', heldOn: 'yesterday' }],
      [
        'POST',
        `/practice/groups/${group}/members`,
        { principal: 'p', displayName: 'd', community: 'atlas', role: 'king' },
      ],
      [
        'POST',
        '/practice/findings',
        { name: 'f', workingGroup: group, statement: 'x'.repeat(3000) },
      ],
      ['PUT', '/practice/findings/multi-year/status', { status: 'maybe' }],
      [
        'POST',
        '/practice/questionnaires',
        { name: 'q2', title: 't', workingGroup: group, questions: [] },
      ],
      ['POST', '/practice/drafts/access-chapter/comments', { body: 42 }],
    ]
    for (const [method, path, body] of bad) {
      await rejectsWith(coordinator.http.request(method, path, { body }), 'VALIDATION_FAILED')
    }
    await rejectsWith(coordinator.practice.group('no-such-group'), 'WORKING_GROUP_NOT_FOUND')
    await rejectsWith(
      coordinator.practice.addMeeting('no-such-group', { title: 't', heldOn: '2026-01-01' }),
      'WORKING_GROUP_NOT_FOUND',
    )
  })

  it('seeds the demo community of practice once, with clearly synthetic people', async () => {
    const { server } = people()
    const ctx = fixture().ctx
    assert.equal(
      await seedDemoPractice(ctx, server.issuer!.url),
      false,
      'no spectrum community yet',
    )
    await addCommunity(ctx, { name: 'spectrum', title: 'SPECTRUM' })
    assert.equal(await seedDemoPractice(ctx, server.issuer!.url), true)
    assert.equal(await seedDemoPractice(ctx, server.issuer!.url), false, 'a second run is skipped')
    const atlasUser = await server.clientAs({
      sub: 'atlas-user',
      groups: ['/atlas'],
      expiresIn: 365 * 86_400,
    })
    const g = await atlasUser.practice.group('wg-requirements-demo')
    assert.equal(g.myRole, 'coordinator')
    assert.ok(g.memberships.every((m) => /^Member [A-Z] \(synthetic\)$/.test(m.displayName)))
    assert.equal(g.meetingRecords[0]!.decisions.length, 2)
    const results = await atlasUser.practice.results('requirements-survey-demo')
    assert.equal(results.responses, 4)
    assert.deepEqual(results.proposal, {
      'compute.walltimeHours': 60,
      'workflow.unattendedLongRunning': true,
      'access.allocationModel': 'multi-year',
    })
    const findings = await atlasUser.practice.findings('wg-requirements-demo')
    assert.deepEqual(Object.fromEntries(findings.map((f) => [f.name, f.status])), {
      'multi-year-allocations-demo': 'validated',
      'interactive-share-demo': 'open',
    })
    const d = await atlasUser.practice.draft('blueprint-chapter-demo')
    assert.equal(d.status, 'consultation')
    assert.equal(d.comments[1]!.parent, d.comments[0]!.id)
  })
})
