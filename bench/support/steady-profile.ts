/**
 * A CPU profile of a benchmark peer's steady state, without its start-up: when
 * BENCH_STEADY_PROFILE names a file, profiling starts `BENCH_STEADY_AFTER_MS` (default 3000)
 * after `startSteadyProfile()` and the profile is written there when `stopSteadyProfile()` runs.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

let session: Session | undefined

export function startSteadyProfile(): void {
  const file = process.env.BENCH_STEADY_PROFILE
  if (!file) return
  setTimeout(
    () => {
      session = new Session()
      session.connect()
      void session.post('Profiler.enable').then(() => session?.post('Profiler.start'))
    },
    Number(process.env.BENCH_STEADY_AFTER_MS ?? 3000),
  ).unref()
}

export async function stopSteadyProfile(): Promise<void> {
  const file = process.env.BENCH_STEADY_PROFILE
  if (!file || !session) return
  const { profile } = await session.post('Profiler.stop')
  writeFileSync(file, JSON.stringify(profile))
}
