/**
 * Surveys over HTTP on both backends, through the gate: a questionnaire answered by several
 * respondents and aggregated per question, community and month; a profile that changes only
 * when a reviewer of the use case's community accepts; versions that keep old responses;
 * malformed answers that change nothing.
 */
import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import { getRecord } from '../src/catalog/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { addTestGroup, practicePeople } from './support/practice.js'

const group = 'wg-test-survey'
const survey = 'test-survey'

describeEachBackend('practice: versioned questionnaires, results and reviews', (fixture) => {
  const people = practicePeople(fixture)
  before(() => addTestGroup(people(), group))
  it('stores responses per respondent, aggregates them, and changes a profile only when a reviewer accepts', async () => {
    const { coordinator, reviewer, member, respondents, principal } = people()
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
    const { coordinator, member, respondents } = people()
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
    const { respondents } = people()
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
})
