import assert from 'node:assert/strict'
import { it } from 'node:test'
import { backoffMs } from './agents.js'

it('backs off exponentially to 30 s with jitter between half and all of the step', () => {
  assert.equal(
    backoffMs(1, () => 0),
    500,
  )
  assert.equal(
    backoffMs(1, () => 1),
    1000,
  )
  assert.equal(
    backoffMs(3, () => 0.5),
    3000,
  )
  assert.equal(
    backoffMs(50, () => 1),
    30_000,
  )
  assert.equal(
    backoffMs(50, () => 0),
    15_000,
  )
  const draws = new Set(Array.from({ length: 50 }, () => backoffMs(4)))
  assert.ok(draws.size > 10, 'workers hit by one outage come back at different times')
})
