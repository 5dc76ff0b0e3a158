import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chooseEndpoints, groupFiles } from './rule-placement.js'

const ep = (id: string, weight = 0, freeBytes = 100) => ({ id, name: id, weight, freeBytes })

describe('rule placement', () => {
  it('prefers endpoints that already hold the most bytes of the group', () => {
    const files = [
      { key: 'a', bytes: 10, holders: new Set(['B']) },
      { key: 'b', bytes: 30, holders: new Set(['C']) },
    ]
    assert.deepEqual(chooseEndpoints(files, [ep('A'), ep('B'), ep('C')], 2), ['C', 'B'])
  })

  it('breaks ties by weight, then free space, then name', () => {
    const files = [{ key: 'a', bytes: 10, holders: new Set<string>() }]
    assert.deepEqual(chooseEndpoints(files, [ep('A'), ep('B', 5), ep('C', 0, 500)], 2), ['B', 'C'])
    assert.deepEqual(chooseEndpoints(files, [ep('B'), ep('A')], 1), ['A'])
  })

  it('groups by all, dataset or none', () => {
    const files = [
      { key: 'f1', dataset: 's:d1' },
      { key: 'f2', dataset: 's:d1' },
      { key: 'f3', dataset: 's:d2' },
      { key: 'f4', dataset: null },
    ]
    assert.equal(groupFiles(files, 'all').length, 1)
    assert.equal(groupFiles(files, 'none').length, 4)
    assert.deepEqual(
      groupFiles(files, 'dataset').map((g) => g.map((f) => f.key)),
      [['f1', 'f2'], ['f3'], ['f4']],
    )
    assert.deepEqual(groupFiles([], 'all'), [])
  })
})
