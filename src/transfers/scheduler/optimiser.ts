/**
 * The link optimiser (pure), after FTS's: every evaluation interval it looks at what the link's
 * attempts did since the last pass and moves the link's limit of active transfers.
 *
 * - endpoint failures (network, timeout) are most of the window's failures: halve the limit;
 * - success rate below 90 %: one less;
 * - throughput at least 95 % of the previous window's, and the link was saturated (it ran at
 *   its limit): one more, up to the configured maximum;
 * - throughput below 80 % of the previous window's: one less;
 * - otherwise, or with no attempts in the window: keep it.
 *
 * The limit stays between `minActive` and the link's configured `maxActive`.
 */
export interface OptimiserInput {
  limit: number
  maxActive: number
  /** Throughput of the previous window (bytes/s); null on the first pass. */
  previousThroughput: number | null
  window: { done: number; failed: number; unreachable: number; bytes: number; seconds: number }
  /** Whether the link had as many active transfers as its limit (more would have run). */
  saturated: boolean
}

export interface OptimiserDecision {
  limit: number
  throughput: number | null
  successRate: number | null
  reason: string
}

export const optimiserConstants = {
  minActive: 1,
  lowSuccessRate: 0.9,
  steadyRatio: 0.95,
  fallingRatio: 0.8,
} as const

export function decideLimit(input: OptimiserInput): OptimiserDecision {
  const { done, failed, unreachable, bytes, seconds } = input.window
  const attempts = done + failed
  const clamp = (n: number) => Math.max(optimiserConstants.minActive, Math.min(input.maxActive, n))
  if (attempts === 0) {
    return {
      limit: clamp(input.limit),
      throughput: input.previousThroughput,
      successRate: null,
      reason: 'idle: no attempts in the window',
    }
  }
  const successRate = done / attempts
  const throughput = seconds > 0 ? bytes / seconds : 0
  const out = (limit: number, reason: string) => ({
    limit: clamp(limit),
    throughput,
    successRate,
    reason,
  })
  if (
    unreachable > 0 &&
    unreachable * 2 >= failed &&
    successRate < optimiserConstants.lowSuccessRate
  ) {
    return out(
      Math.floor(input.limit / 2),
      `backing off: ${unreachable} endpoint failure(s) (network/timeout)`,
    )
  }
  if (successRate < optimiserConstants.lowSuccessRate) {
    return out(
      input.limit - 1,
      `success rate ${(successRate * 100).toFixed(0)} % < ${optimiserConstants.lowSuccessRate * 100} %`,
    )
  }
  const previous = input.previousThroughput
  if (
    previous !== null &&
    previous > 0 &&
    throughput < previous * optimiserConstants.fallingRatio
  ) {
    return out(input.limit - 1, 'throughput falling')
  }
  if (
    input.saturated &&
    (previous === null || throughput >= previous * optimiserConstants.steadyRatio)
  ) {
    return out(
      input.limit + 1,
      previous === null
        ? 'first window, saturated: probing up'
        : 'throughput rising or steady while saturated',
    )
  }
  return out(input.limit, input.saturated ? 'throughput flat: holding' : 'not saturated: holding')
}
