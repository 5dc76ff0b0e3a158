import assert from 'node:assert/strict'
import { it } from 'node:test'
import { ManualClock } from '../platform/index.js'
import { RateLimiter } from './rate-limit.js'

it('allows a burst, then one request per refill interval, per address', () => {
  const clock = new ManualClock()
  const limiter = new RateLimiter(clock, { perMinute: 6, burst: 3 })
  assert.deepEqual(
    [1, 2, 3].map(() => limiter.take('10.0.0.1')),
    [0, 0, 0],
  )
  assert.equal(limiter.take('10.0.0.1'), 10, 'a token every 10 s')
  assert.equal(limiter.take('10.0.0.2'), 0, 'another address has its own bucket')
  clock.advance(9_000)
  assert.equal(limiter.take('10.0.0.1'), 1)
  clock.advance(1_000)
  assert.equal(limiter.take('10.0.0.1'), 0)
  assert.equal(limiter.take('10.0.0.1'), 10)
  clock.advance(3_600_000)
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.take('10.0.0.1')),
    [0, 0, 0, 10],
    'a quiet hour refills the burst, not more',
  )
})
