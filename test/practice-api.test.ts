/**
 * Communities of practice over HTTP on both backends, through the gate: a working group with
 * roles, a questionnaire answered by several respondents and aggregated, a reviewer's
 * acceptance into a use case's profile (and nothing before it), versions that keep old
 * responses, findings changing state through interviews, a draft's threaded consultation,
 * the hub search, refusals for non-members, and bad input that changes nothing.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { addCommunity, addRecord, getRecord } from '../src/catalog/index.js'
import { seedDemoPractice } from '../src/practice/index.js'
import type { ContinuumClient } from '../src/client/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const group = 'wg-test-requirements'
const survey = 'test-survey'

describeEachBackend('practice: working groups, surveys, interviews, consultations', (fixture) => {
  let server: TestServer
  let coordinator: ContinuumClient // atlas, creates the group
  let reviewer: ContinuumClient // lofar, reviewer of the group
  let member: ContinuumClient // ska, plain member
  let outsider: ContinuumClient // atlas, in the group's community but not in the group
  let respondents: ContinuumClient[]
  const principal = (sub: string) => `${server.issuer!.url}#${sub}`

  before(async () => {
    const ctx = fixture().ctx
    for (const name of ['atlas', 'lofar', 'ska', 'cms']) {
      await addCommunity(ctx, { name, title: name.toUpperCase() })
    }
    await addRecord(ctx, 'useCase', { name: 'cms-use-case', title: 'CMS case', community: 'cms' })
    await addRecord(ctx, 'useCase', {
      name: 'test-use-case',
      title: 'A use case',
      community: 'lofar',
      profile: { compute: { walltimeHours: 12 } },
    })
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    // tokens outlive the test's month-long clock jumps
    const as = (sub: string, group: string) =>
      server.clientAs({ sub, groups: [group], expiresIn: 365 * 86_400 })
    coordinator = await as('coord', '/atlas')
    reviewer = await as('rev', '/lofar')
    member = await as('mem', '/ska')
    outsider = await as('out', '/atlas')
    respondents = await Promise.all(
      [
        ['r1', '/atlas'],
        ['r2', '/atlas'],
        ['r3', '/cms'],
      ].map(([sub, g]) => as(sub!, g!)),
    )
  })
  after(() => server.close())

  it('creates a working group whose creator coordinates it, and adds members with roles', async () => {
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

  it('stores responses per respondent, aggregates them, and changes a profile only when a reviewer accepts', async () => {
    await rejectsWith(
      member.practice.addQuestionnaire({
        name: survey,
        title: 'Survey',
        workingGroup: group,
        questions: [{ id: 'q', text: 'q?', kind: 'boolean' }],
      }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      coordinator.practice.addQuestionnaire({
        name: survey,
        title: 'Survey',
        workingGroup: group,
        questions: [
          { id: 'walltime', text: 'h?', kind: 'boolean', profilePath: 'compute.walltimeHours' },
        ],
      }),
      'VALIDATION_FAILED',
      'takes a number answer',
    )
    await coordinator.practice.addQuestionnaire({
      name: survey,
      title: 'Survey',
      workingGroup: group,
      questions: [
        {
          id: 'walltime',
          text: 'Longest job (h)?',
          kind: 'number',
          unit: 'h',
          profilePath: 'compute.walltimeHours',
        },
        {
          id: 'unattended',
          text: 'Unattended?',
          kind: 'boolean',
          profilePath: 'workflow.unattendedLongRunning',
        },
        {
          id: 'protocols',
          text: 'Protocols?',
          kind: 'choices',
          choices: ['root', 'https', 's3'],
          profilePath: 'data.protocols',
        },
        { id: 'remarks', text: 'Remarks?', kind: 'text' },
      ],
    })
    const answers = [
      { walltime: 48, unattended: true, protocols: ['root', 'https'] },
      { walltime: 72, unattended: true, protocols: ['root'] },
      { walltime: 24, unattended: false, protocols: ['s3'], remarks: 'tape' },
    ]
    for (const [i, r] of respondents.entries()) {
      await r.practice.respond(survey, { answers: answers[i]! })
    }
    fixture().clock.advance(40 * 86_400_000) // a month later: a second period
    // answering again replaces one's own response, it does not add one
    await respondents[0]!.practice.respond(survey, { answers: { ...answers[0]!, walltime: 96 } })
    const mine = await respondents[0]!.practice.myResponses(survey)
    assert.equal(mine.length, 1)
    assert.equal(mine[0]!.answers.walltime, 96)
    assert.equal(mine[0]!.respondent, principal('r1'))

    const results = await member.practice.results(survey)
    assert.equal(results.responses, 3)
    const walltime = results.questions.find((q) => q.id === 'walltime')!
    assert.deepEqual(
      [walltime.answered, walltime.min, walltime.max, walltime.median, walltime.mean],
      [3, 24, 96, 72, 64],
    )
    assert.deepEqual(results.questions.find((q) => q.id === 'unattended')!.counts, {
      yes: 2,
      no: 1,
    })
    assert.deepEqual(results.questions.find((q) => q.id === 'protocols')!.counts, {
      root: 2,
      https: 1,
      s3: 1,
    })
    assert.deepEqual(
      results.byCommunity.map((c) => [c.community, c.responses]),
      [
        ['atlas', 2],
        ['cms', 1],
      ],
    )
    assert.deepEqual(
      results.overTime.map((p) => [p.period, p.responses]),
      [
        ['2026-03', 2],
        ['2026-04', 1],
      ],
    )
    assert.deepEqual(results.proposal, {
      'compute.walltimeHours': 72,
      'workflow.unattendedLongRunning': true,
      'data.protocols': ['root'],
    })
    const cms = await member.practice.results(survey, { community: 'cms' })
    assert.equal(cms.responses, 1)
    assert.equal(cms.questions[0]!.median, 24)

    // nothing has reached the profile yet
    const before = await getRecord(fixture().ctx, 'useCase', 'test-use-case')
    assert.deepEqual(before.profile, { compute: { walltimeHours: 12 } })
    // a plain member may not accept; a reviewer only into their own community's use cases
    await rejectsWith(member.practice.accept(survey, { useCase: 'test-use-case' }), 'POLICY_DENIED')
    await rejectsWith(
      reviewer.practice.accept(survey, { useCase: 'cms-use-case' }),
      'POLICY_DENIED',
    )
    await rejectsWith(
      reviewer.practice.accept(survey, { useCase: 'test-use-case', fields: ['compute.peakCores'] }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      reviewer.practice.accept(survey, { useCase: 'no-such-case' }),
      'USE_CASE_NOT_FOUND',
    )
    assert.deepEqual(
      (await getRecord(fixture().ctx, 'useCase', 'test-use-case')).profile,
      before.profile,
    )

    const review = await reviewer.practice.accept(survey, {
      useCase: 'test-use-case',
      fields: ['compute.walltimeHours', 'workflow.unattendedLongRunning'],
    })
    assert.equal(review.reviewer, principal('rev'))
    assert.equal(review.responses, 3)
    assert.deepEqual(review.before, {
      'compute.walltimeHours': 12,
      'workflow.unattendedLongRunning': null,
    })
    const afterAccept = await getRecord(fixture().ctx, 'useCase', 'test-use-case')
    assert.deepEqual(afterAccept.profile, {
      compute: { walltimeHours: 72 },
      workflow: { unattendedLongRunning: true },
    })
    const q = await member.practice.questionnaire(survey)
    assert.equal(q.reviews.length, 1)
    assert.equal(q.reviews[0]!.acceptedAt, fixture().clock.now().toISOString())
  })

  it('keeps old responses when a new version is published', async () => {
    await rejectsWith(
      member.practice.addVersion(survey, [{ id: 'gpu', text: 'GPUs?', kind: 'number' }]),
      'POLICY_DENIED',
    )
    const q = await coordinator.practice.addVersion(survey, [
      {
        id: 'walltime',
        text: 'Longest job (h)?',
        kind: 'number',
        profilePath: 'compute.walltimeHours',
      },
      { id: 'gpu', text: 'GPUs at once?', kind: 'number', profilePath: 'compute.acceleratorCount' },
    ])
    assert.deepEqual(
      q.versions.map((v) => [v.version, v.responses]),
      [
        [1, 3],
        [2, 0],
      ],
    )
    // the new version's question is refused in old answers and accepted in new ones
    await rejectsWith(
      respondents[1]!.practice.respond(survey, { answers: { gpu: 4 }, version: 1 }),
      'VALIDATION_FAILED',
    )
    await respondents[1]!.practice.respond(survey, { answers: { walltime: 10, gpu: 4 } })
    assert.equal((await member.practice.results(survey, { version: 1 })).responses, 3)
    assert.equal(
      (await member.practice.results(survey, { version: 1 })).questions[0]!.median,
      72,
      'version 1 results unchanged',
    )
    const v2 = await member.practice.results(survey)
    assert.deepEqual([v2.version, v2.responses], [2, 1])
    const mine = await respondents[1]!.practice.myResponses(survey)
    assert.deepEqual(
      mine.map((r) => r.version),
      [1, 2],
    )
    await rejectsWith(member.practice.results(survey, { version: 9 }), 'QUESTIONNAIRE_NOT_FOUND')
  })

  it('refuses malformed answers and changes nothing', async () => {
    const r = respondents[2]!
    for (const answers of [{ walltime: 'long' }, { walltime: -1 }, { unknown: 1 }, {}] as Array<
      Record<string, never>
    >) {
      await rejectsWith(r.practice.respond(survey, { answers, version: 1 }), 'VALIDATION_FAILED')
    }
    await rejectsWith(
      r.practice.respond(survey, { answers: { walltime: 1 }, version: 1, community: 'atlas' }),
      'VALIDATION_FAILED',
      'not a member',
    )
    await rejectsWith(
      r.http.request('POST', `/practice/questionnaires/${survey}/responses`, {
        body: { answers: { remarks: 'x'.repeat(5000) } },
      }),
      'VALIDATION_FAILED',
    )
    const mine = await r.practice.myResponses(survey)
    assert.deepEqual(mine[0]!.answers, {
      walltime: 24,
      unattended: false,
      protocols: ['s3'],
      remarks: 'tape',
    })
  })

  it('moves findings through interviews: validated or contested only with an interview behind it', async () => {
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
