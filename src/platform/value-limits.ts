/**
 * Limits on a parsed value (from JSON or YAML): nesting depth, object keys, and strings that
 * are not well-formed UTF-16. A lone surrogate (`"\ud800"`) is valid JSON but cannot be stored
 * as text in PostgreSQL; refusing it here turns a late 500 into a 400 that names the field.
 */
import { ContinuumError } from './errors.js'

export interface ValueLimits {
  /** Levels of objects and arrays. */
  maxDepth: number
  /** Object keys in the whole value. */
  maxKeys: number
}

/** Generous enough for every catalogue and workflow we ship, small enough to walk in ~ms. */
export const defaultValueLimits: ValueLimits = { maxDepth: 64, maxKeys: 100_000 }

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Throws INPUT_TOO_COMPLEX over a limit and MALFORMED_REQUEST for a lone surrogate. */
export function checkValueLimits(value: unknown, limits: ValueLimits, what: string): void {
  let keys = 0
  // An explicit stack: a deep value must not overflow the call stack before it is refused.
  const stack: Array<{ v: unknown; depth: number; path: string }> = [
    { v: value, depth: 0, path: '' },
  ]
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!
    if (typeof v === 'string') {
      if (loneSurrogate.test(v)) throw surrogate(what, path)
      continue
    }
    if (v === null || typeof v !== 'object') continue
    if (depth >= limits.maxDepth) {
      throw new ContinuumError(
        'INPUT_TOO_COMPLEX',
        `${what} is refused: it nests deeper than ${limits.maxDepth} levels`,
        { maxDepth: limits.maxDepth, path },
      )
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` })
      }
      continue
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (++keys > limits.maxKeys) {
        throw new ContinuumError(
          'INPUT_TOO_COMPLEX',
          `${what} is refused: it has more than ${limits.maxKeys} keys`,
          { maxKeys: limits.maxKeys },
        )
      }
      if (loneSurrogate.test(k)) throw surrogate(what, `${path}.${k.replace(loneSurrogate, '?')}`)
      stack.push({ v: child, depth: depth + 1, path: path === '' ? k : `${path}.${k}` })
    }
  }
}

function surrogate(what: string, path: string): ContinuumError {
  const field = path.replace(/^\./, '') || '(body)'
  return new ContinuumError(
    'MALFORMED_REQUEST',
    `${what} has text that is not valid Unicode (a lone UTF-16 surrogate) at ${field}`,
    { field },
  )
}
