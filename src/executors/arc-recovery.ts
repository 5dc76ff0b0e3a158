/**
 * After a crash between asking an ARC CE to take a job and recording its answer, the job is
 * found by its name (the attempt id). Concluding too early that the CE never took it submits
 * it twice, so this asks again while the CE may not show it yet: a job accepted but not yet
 * processed may be listed without its GLUE2 record (no name), and a job asked for moments ago
 * may not be listed at all until A-REX's next scan. If the CE still cannot say by the
 * deadline, it fails for now (the engine asks again later); it never guesses.
 */
import { ContinuumError } from '../platform/index.js'
import type { ArcRestClient } from './arc-rest.js'

/** Jobs per bulk call (as the executor's). */
const chunk = 500

/**
 * The CE's job ids by attempt id, for those it has. `settledAt`: until then an attempt missing
 * from the CE may still appear; `identifyMs`: how long past that to wait for unnamed jobs.
 */
export async function findJobsByName(
  client: ArcRestClient,
  attemptIds: readonly string[],
  settledAt: number,
  identifyMs: number,
): Promise<Map<string, string>> {
  const wanted = new Set(attemptIds)
  const deadline = Math.max(Date.now(), settledAt) + identifyMs
  for (;;) {
    const found = new Map<string, string>()
    let unnamed = 0
    const ids = await client.list()
    for (let i = 0; i < ids.length && found.size < wanted.size; i += chunk) {
      for (const answer of await client.info(ids.slice(i, i + chunk))) {
        const activity = (answer.info?.ComputingActivity ?? {}) as Record<string, unknown>
        const name = typeof activity.Name === 'string' ? activity.Name : ''
        if (wanted.has(name)) found.set(name, answer.id)
        else if (name === '') unnamed++
      }
    }
    if (found.size === wanted.size) return found
    const now = Date.now()
    if (unnamed === 0 && now >= settledAt) return found
    if (now >= deadline) {
      throw new ContinuumError(
        'EXECUTOR_UNAVAILABLE',
        `ARC CE cannot yet tell whether ${wanted.size - found.size} attempt(s) were submitted (${unnamed} job(s) without a name)`,
        { unnamed, attempts: [...wanted].filter((a) => !found.has(a)) },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}
