import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ClaimSituation } from '../transfer-claims.js'
import { chooseTransfers } from './fair-share.js'

const link = { source: 'a', dest: 'b' }

function queue(community: string, activity: string, n: number, l = link) {
  return Array.from({ length: n }, (_, i) => ({
    ...l,
    community,
    activity,
    id: `${l.source}${l.dest}-${community}-${activity}-${String(i).padStart(3, '0')}`,
    priority: 3,
    notBefore: new Date(0),
  }))
}

function situation(over: Partial<ClaimSituation>): ClaimSituation {
  return {
    links: [{ ...link, limit: 10, active: 0 }],
    candidates: [],
    active: [],
    shares: { activity: new Map(), community: new Map() },
    limit: 100,
    ...over,
  }
}

function count(ids: string[], part: string): number {
  return ids.filter((id) => id.includes(part)).length
}

describe('fair share', () => {
  it('never gives a link more than its free slots, nor the worker more than it asked', () => {
    const ids = chooseTransfers(
      situation({
        links: [{ ...link, limit: 10, active: 7 }],
        candidates: queue('atlas', 'default', 10),
      }),
    )
    assert.equal(ids.length, 3)
    const two = chooseTransfers(situation({ candidates: queue('atlas', 'default', 10), limit: 2 }))
    assert.equal(two.length, 2)
  })

  it('splits a link between communities by weight, counting what is already active', () => {
    const candidates = [...queue('atlas', 'default', 20), ...queue('cms', 'default', 20)]
    const even = chooseTransfers(situation({ candidates }))
    assert.deepEqual([count(even, 'atlas'), count(even, 'cms')], [5, 5])
    const weighted = chooseTransfers(
      situation({
        candidates,
        shares: { activity: new Map(), community: new Map([['atlas', 4]]) },
      }),
    )
    assert.deepEqual([count(weighted, 'atlas'), count(weighted, 'cms')], [8, 2])
    // cms already runs 6 on this link: the 4 free slots go to atlas.
    const busy = chooseTransfers(
      situation({
        links: [{ ...link, limit: 10, active: 6 }],
        candidates,
        active: [{ ...link, community: 'cms', activity: 'default', n: 6 }],
      }),
    )
    assert.deepEqual([count(busy, 'atlas'), count(busy, 'cms')], [4, 0])
  })

  it('gives "T0 Export" its weight over "User Subscriptions" inside a community', () => {
    const ids = chooseTransfers(
      situation({
        links: [{ ...link, limit: 11, active: 0 }],
        candidates: [
          ...queue('atlas', 'T0 Export', 20),
          ...queue('atlas', 'User Subscriptions', 20),
        ],
        shares: {
          activity: new Map([
            ['T0 Export', 10],
            ['User Subscriptions', 1],
          ]),
          community: new Map(),
        },
      }),
    )
    assert.deepEqual([count(ids, 'T0 Export'), count(ids, 'User Subscriptions')], [10, 1])
  })

  it('hands an idle share to the others and serves links round robin', () => {
    const other = { source: 'c', dest: 'b' }
    const ids = chooseTransfers(
      situation({
        links: [
          { ...link, limit: 10, active: 0 },
          { ...other, limit: 10, active: 0 },
        ],
        candidates: [...queue('atlas', 'default', 2), ...queue('cms', 'default', 20, other)],
        limit: 6,
      }),
    )
    assert.equal(ids.length, 6)
    assert.deepEqual([count(ids, 'ab-'), count(ids, 'cb-')], [2, 4])
  })
})
