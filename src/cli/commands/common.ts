/** Helpers shared by command files. */
import { InvalidArgumentError } from 'commander'
import { ContinuumError } from '../../platform/browser.js'
import { printError, type Output } from '../output.js'

export function parseLimit(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a positive integer')
  return n
}

export interface ItemResult {
  item: string
  ok: boolean
  error?: ReturnType<ContinuumError['toJSON']>
}

/**
 * Applies `remove` to each item independently and reports each; the command fails with the
 * first failure's code once all were tried, so one bad name does not stop the others.
 */
export async function removeEach(
  out: Output,
  items: string[],
  noun: string,
  remove: (item: string) => Promise<unknown>,
): Promise<void> {
  const results: ItemResult[] = []
  let firstError: ContinuumError | undefined
  for (const item of items) {
    try {
      await remove(item)
      results.push({ item, ok: true })
      if (!out.json) out.write(`removed ${noun} ${item}`)
    } catch (err) {
      if (!(err instanceof ContinuumError) || err.code === 'SERVER_UNREACHABLE') throw err
      firstError ??= err
      results.push({ item, ok: false, error: err.toJSON() })
      if (!out.json) printError(out, err)
    }
  }
  if (out.json) out.write(JSON.stringify({ results }, null, 2))
  if (firstError) throw new ReportedError(firstError)
}

/** An error already shown to the user; main.ts only sets the exit code. */
export class ReportedError extends Error {
  constructor(readonly error: ContinuumError) {
    super(error.message)
  }
}
