/**
 * A deadline on storage work: `fn` gets a signal that aborts at the deadline, and the returned
 * promise rejects with STORAGE_TIMEOUT then, whether or not `fn` heeds the signal. A file-system
 * call stuck in the kernel (a hung network mount) cannot be interrupted; it is abandoned, so the
 * transfer fails as a classified, retryable timeout instead of hanging with it.
 */
import { ContinuumError } from '../platform/index.js'

export async function withDeadline<T>(
  ms: number,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ContinuumError(
        'STORAGE_TIMEOUT',
        `${what} did not finish within ${Math.round(ms / 1000)} s; abandoned`,
        { deadlineMs: ms },
      )
      controller.abort(error)
      reject(error)
    }, ms)
  })
  const work = fn(controller.signal)
  // The abandoned work may still fail later; that must not become an unhandled rejection.
  work.catch(() => undefined)
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
