import assert from 'node:assert/strict'
import { it } from 'node:test'
import { silentLogger } from './logger.js'
import { forceExitAfter } from './shutdown.js'

// The guard's timer is unref'd: something else (here, as in life, the hung work) keeps the loop.
function hungWork(): { done(): void } {
  const handle = setInterval(() => undefined, 60_000)
  return { done: () => clearInterval(handle) }
}

it('forces the exit with code 1 when the stop outlives its grace period', async () => {
  const work = hungWork()
  const code = await new Promise<number>((resolve) => forceExitAfter(5, silentLogger, resolve))
  work.done()
  assert.equal(code, 1)
})

it('does nothing once cancelled', async () => {
  const work = hungWork()
  let forced = false
  const guard = forceExitAfter(1, silentLogger, () => (forced = true))
  guard.cancel()
  // A later timer of the same loop: the cancelled one would have fired before it.
  await new Promise<void>((resolve) => setTimeout(resolve, 5))
  work.done()
  assert.equal(forced, false)
})
