/**
 * Fair side-by-side runs: each contender runs `runs` times, the order of contenders alternates
 * from one round to the next (so no side always runs first on a cold cache or last on a warm
 * one), the load average is printed before every run, and the result is the median.
 */
import os from 'node:os'

export interface Trial<T> {
  name: string
  run(): Promise<T> | T
}

export interface Contender extends Trial<number> {
  /** Runs once; answers seconds (the contender times only its own work). */
  run(): Promise<number> | number
}

export interface FairResult {
  name: string
  seconds: number[]
  median: number
}

/**
 * Runs every trial `runs` times, alternating the order each round, and answers each trial's
 * results in run order; `describe` prints one result.
 */
export async function alternate<T>(
  trials: readonly Trial<T>[],
  runs: number,
  describe: (result: T) => string,
  log: (line: string) => void = console.log,
): Promise<Map<string, T[]>> {
  const results = new Map(trials.map((t) => [t.name, [] as T[]]))
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? trials : [...trials].reverse()
    for (const trial of order) {
      const load = os.loadavg()[0]?.toFixed(2) ?? '?'
      const result = await trial.run()
      results.get(trial.name)?.push(result)
      log(`  round ${round + 1}  ${trial.name.padEnd(18)} ${describe(result)}  (load ${load})`)
    }
  }
  return results
}

/** Seconds per run of each contender, alternated; the medians are what is compared. */
export async function runFairly(
  contenders: readonly Contender[],
  runs: number,
  log: (line: string) => void = console.log,
): Promise<FairResult[]> {
  const all = await alternate(contenders, runs, (s) => `${s.toFixed(2)} s`, log)
  return contenders.map((c) => {
    const seconds = all.get(c.name) ?? []
    return { name: c.name, seconds, median: median(seconds) }
  })
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
