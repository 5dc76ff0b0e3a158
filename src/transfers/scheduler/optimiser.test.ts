import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decideLimit, type OptimiserInput } from './optimiser.js'

const base: OptimiserInput = {
  limit: 8,
  maxActive: 12,
  previousThroughput: 100,
  window: { done: 20, failed: 0, unreachable: 0, bytes: 6000, seconds: 60 },
  saturated: true,
}

describe('link optimiser', () => {
  it('raises the limit while throughput rises and errors stay low, up to the maximum', () => {
    assert.equal(decideLimit(base).limit, 9)
    assert.equal(decideLimit({ ...base, limit: 12 }).limit, 12)
    assert.equal(decideLimit({ ...base, previousThroughput: null }).limit, 9)
    assert.equal(decideLimit({ ...base, saturated: false }).limit, 8, 'no demand: hold')
  })

  it('lowers it when throughput falls or the success rate drops', () => {
    assert.equal(decideLimit({ ...base, previousThroughput: 200 }).limit, 7)
    const errors = { ...base.window, done: 8, failed: 2 }
    assert.equal(decideLimit({ ...base, window: errors }).limit, 7)
  })

  it('halves it when the endpoint fails (network, timeout), never below one', () => {
    const down = { done: 0, failed: 10, unreachable: 10, bytes: 0, seconds: 60 }
    const d = decideLimit({ ...base, window: down })
    assert.equal(d.limit, 4)
    assert.match(d.reason, /backing off/)
    assert.equal(decideLimit({ ...base, limit: 1, window: down }).limit, 1)
  })

  it('holds when idle', () => {
    const idle = { done: 0, failed: 0, unreachable: 0, bytes: 0, seconds: 60 }
    assert.equal(decideLimit({ ...base, window: idle }).limit, 8)
  })
})
