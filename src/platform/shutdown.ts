/**
 * A bounded shutdown: after a stop signal, whatever is still running (a request, an agent round
 * stuck on a hung storage mount, a database that does not answer) has `graceMs` to finish; then
 * the process exits anyway with code 1 and says why. Without it a hung file-system call kept
 * the server alive through SIGTERM until someone sent SIGKILL.
 */
import type { Logger } from './logger.js'

/** Default grace after SIGTERM/SIGINT before the process is forced to exit. */
export const defaultShutdownGraceMs = 30_000

export function forceExitAfter(
  graceMs: number,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): { cancel(): void } {
  const timer = setTimeout(() => {
    logger.error({ graceMs }, 'shutdown did not finish within its grace period; forcing exit')
    exit(1)
  }, graceMs)
  // The timer must not itself keep an otherwise finished process alive.
  timer.unref()
  return { cancel: () => clearTimeout(timer) }
}
