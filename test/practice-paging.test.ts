/**
 * Practice lists come a page at a time (issue 21): findings oldest first, interviews earliest
 * held first, drafts by name, each page's `next` leading to the following one with nothing
 * repeated or left out; the client's plain listings follow the pages; bad paging is refused.
 * Both backends, through the gate.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { addTestGroup, practicePeople } from './support/practice.js'

const group = 'wg-test-paging'

describeEachBackend('practice: paged lists', (fixture) => {
  const people = practicePeople(fixture)

  it('pages findings, interviews and drafts in a stable order', async () => {
    const p = people()
    await addTestGroup(p, group)
    const { member } = p
    const findings = ['f-c', 'f-a', 'f-e', 'f-b', 'f-d']
    for (const name of findings) {
      await member.practice.addFinding({ name, workingGroup: group, statement: `${name} holds.` })
      fixture().clock.advance(1000) // created one after the other
    }
    for (const [i, day] of ['2026-03-05', '2026-03-01', '2026-03-03'].entries()) {
      await member.practice.addInterview({
        workingGroup: group,
        interviewee: `Member ${i} (synthetic)`,
        protocol: 'semi-structured',
        heldOn: day,
        findings: [{ finding: 'f-a', stance: 'supports' }],
      })
    }
    for (const name of ['d-b', 'd-c', 'd-a']) {
      await member.practice.addDraft({ name, title: name, workingGroup: group, body: 'Text.' })
    }

    const pages: string[][] = []
    let cursor: string | undefined
    do {
      const page = await member.practice.findingsPage({ group, limit: 2, cursor })
      assert.ok(page.items.length <= 2)
      pages.push(page.items.map((f) => f.name))
      cursor = page.next ?? undefined
    } while (cursor !== undefined)
    assert.deepEqual(pages, [['f-c', 'f-a'], ['f-e', 'f-b'], ['f-d']])
    assert.deepEqual(
      (await member.practice.findings(group)).map((f) => f.name),
      findings,
      'the plain listing follows the pages',
    )
    const supported = (await member.practice.findings(group)).find((f) => f.name === 'f-a')
    assert.equal(supported?.supports, 3)

    const first = await member.practice.interviewsPage({ group, limit: 2 })
    assert.deepEqual(
      first.items.map((i) => i.heldOn),
      ['2026-03-01', '2026-03-03'],
    )
    const second = await member.practice.interviewsPage({ group, limit: 2, cursor: first.next! })
    assert.deepEqual(
      second.items.map((i) => [i.heldOn, i.workingGroup]),
      [['2026-03-05', group]],
    )
    assert.equal(second.next, null)

    const drafts = await member.practice.draftsPage({ limit: 3 })
    assert.deepEqual(
      drafts.items.map((d) => d.name),
      ['d-a', 'd-b', 'd-c'],
    )
    assert.equal(drafts.next, null, 'a full last page has no next')
  })

  it('refuses bad paging with VALIDATION_FAILED', async () => {
    const { member } = people()
    for (const query of [
      { limit: 0 },
      { limit: 501 },
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from('["only-one"]').toString('base64url') },
    ]) {
      await rejectsWith(member.practice.findingsPage({ group, ...query }), 'VALIDATION_FAILED')
    }
    await rejectsWith(
      member.practice.interviewsPage({ cursor: Buffer.from('[1,2]').toString('base64url') }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      member.http.request('GET', '/practice/drafts', { query: { limit: 'many' } }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      member.practice.findingsPage({ group: 'no-such-group' }),
      'WORKING_GROUP_NOT_FOUND',
    )
  })
})
