/** Helpers shared by the `continuum data` command files. */
import { InvalidArgumentError } from 'commander'
import type { DidRef, Meta } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`
}

/** `scope:name` as typed by a user; the server checks the full grammar. */
export function parseDidArg(text: string): DidRef {
  const colon = text.indexOf(':')
  if (colon <= 0 || colon === text.length - 1) {
    throw new InvalidArgumentError(`'${text}' is not scope:name`)
  }
  return { scope: text.slice(0, colon), name: text.slice(colon + 1) }
}

/** `key=value` pairs; numbers and true/false become typed values. */
export function parsePairs(pairs: string[]): Meta {
  const out: Meta = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) {
      throw new ContinuumError('INVALID_ARGUMENT', `'${pair}' is not key=value`, { value: pair })
    }
    const raw = pair.slice(eq + 1)
    out[pair.slice(0, eq)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : /^-?\d+(\.\d+)?$/.test(raw)
            ? Number(raw)
            : raw
  }
  return out
}

export const collect = (value: string, previous: string[] = []) => [...previous, value]
