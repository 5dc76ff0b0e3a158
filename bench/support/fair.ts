/**
 * Fair side-by-side runs: each contender runs `runs` times, the order of contenders alternates
 * from one round to the next (so no side always runs first on a cold cache or last on a warm
 * one), the load average is printed before every run, and the result is the median.
 */
import os from 'node:os'

export interface Contender {
  name: string
  /** Runs once; answers seconds (the contender times only its own work). */
  run(): Promise<number> | number
}

export interface FairResult {
  name: string
  seconds: number[]
  median: number
}

export async function runFairly(
  contenders: readonly Contender[],
  runs: number,
  log: (line: string) => void = console.log,
): Promise<FairResult[]> {
  const seconds = new Map(contenders.map((c) => [c.name, [] as number[]]))
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    for (const contender of order) {
      const load = os.loadavg()[0]?.toFixed(2) ?? '?'
      const s = await contender.run()
      seconds.get(contender.name)?.push(s)
      log(`  round ${round + 1}  ${contender.name.padEnd(18)} ${s.toFixed(2)} s  (load ${load})`)
    }
  }
  return contenders.map((c) => {
    const all = seconds.get(c.name) ?? []
    return { name: c.name, seconds: all, median: median(all) }
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
