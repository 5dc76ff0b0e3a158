import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Question } from '../contract/index.js'
import { byCommunity, overTime, proposal, summarise } from './aggregate.js'
import { findingTransitions } from './interviews.js'

const questions: Question[] = [
  { id: 'h', text: 'hours', kind: 'number', profilePath: 'compute.walltimeHours' },
  { id: 'u', text: 'unattended', kind: 'boolean', profilePath: 'workflow.unattendedLongRunning' },
  {
    id: 'm',
    text: 'model',
    kind: 'choice',
    choices: ['multi-year', 'per-call'],
    profilePath: 'access.allocationModel',
  },
  { id: 't', text: 'remarks', kind: 'text' },
]
const at = (s: string) => new Date(s)
const r = (community: string, answers: Record<string, unknown>, when = '2026-01-05T00:00:00Z') => ({
  community,
  answers: answers as never,
  submittedAt: at(when),
})

describe('survey aggregation', () => {
  it('summarises numbers, yes/no and choices, and counts free text only', () => {
    const s = summarise(questions, [
      r('a', { h: 10, u: true, m: 'multi-year', t: 'secret' }),
      r('a', { h: 30, u: false, m: 'per-call' }),
      r('b', { h: 20 }),
      r('b', { h: 50, u: true, m: 'multi-year' }),
    ])
    assert.deepEqual(
      s.map((q) => [q.id, q.answered, q.median, q.counts]),
      [
        ['h', 4, 25, undefined],
        ['u', 3, undefined, { yes: 2, no: 1 }],
        ['m', 3, undefined, { 'multi-year': 2, 'per-call': 1 }],
        ['t', 1, undefined, undefined],
      ],
    )
    assert.equal(JSON.stringify(s).includes('secret'), false, 'free text never leaves a response')
    assert.deepEqual(proposal(s), {
      'compute.walltimeHours': 25,
      'workflow.unattendedLongRunning': true,
      'access.allocationModel': 'multi-year',
    })
  })

  it('proposes nothing on a tie or without answers', () => {
    const s = summarise(questions, [
      r('a', { u: true, m: 'per-call' }),
      r('a', { u: false, m: 'multi-year' }),
    ])
    assert.deepEqual(proposal(s), {})
    assert.deepEqual(proposal(summarise(questions, [])), {})
  })

  it('slices by community and by month', () => {
    const rs = [
      r('b', { h: 1 }, '2026-02-01T00:00:00Z'),
      r('a', { h: 2 }, '2026-01-31T23:59:59Z'),
      r('a', { h: 3 }, '2026-02-10T00:00:00Z'),
    ]
    assert.deepEqual(
      byCommunity(questions, rs).map((c) => [c.community, c.responses, c.questions[0]!.median]),
      [
        ['a', 2, 2.5],
        ['b', 1, 1],
      ],
    )
    assert.deepEqual(
      overTime(questions, rs).map((p) => [p.period, p.responses]),
      [
        ['2026-01', 1],
        ['2026-02', 2],
      ],
    )
  })

  it('lets a finding move between every pair of distinct states, never to itself', () => {
    for (const [from, tos] of Object.entries(findingTransitions)) {
      assert.equal(tos.includes(from as never), false)
      assert.equal(tos.length, 2)
    }
  })
})
