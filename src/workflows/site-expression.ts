/**
 * Endpoint-style expressions that pin or exclude sites, in the grammar of Rucio's RSE
 * expressions: terms `key=value`, `key>n`, `key<n` or a bare site name; `|` union, `&`
 * intersection, `\` difference; parentheses; evaluated left to right without precedence.
 */
import { ContinuumError } from '../platform/index.js'

export type SiteAttributes = Record<string, string | number | boolean | null>

export interface Named {
  name: string
  attributes: SiteAttributes
}

/** The names of `sites` that match `expression`; throws VALIDATION_FAILED when malformed. */
export function matchSites(expression: string, sites: readonly Named[]): Set<string> {
  const tokens = expression.match(/[()|&\\]|[^()|&\\\s]+/g) ?? []
  let pos = 0
  const fail = (why: string): never => {
    throw new ContinuumError('VALIDATION_FAILED', `site expression '${expression}': ${why}`, {
      expression,
    })
  }
  const parseTerm = (): Set<string> => {
    const token = tokens[pos++]
    if (token === undefined) return fail('ends early')
    if (token === '(') {
      const inner = parseExpr()
      if (tokens[pos++] !== ')') fail("missing ')'")
      return inner
    }
    if ('|&\\)'.includes(token)) return fail(`unexpected '${token}'`)
    return new Set(sites.filter((s) => termMatches(token, s)).map((s) => s.name))
  }
  const parseExpr = (): Set<string> => {
    let left = parseTerm()
    while (pos < tokens.length && tokens[pos] !== ')') {
      const op = tokens[pos++]
      const right = parseTerm()
      if (op === '|') left = new Set([...left, ...right])
      else if (op === '&') left = new Set([...left].filter((n) => right.has(n)))
      else if (op === '\\') left = new Set([...left].filter((n) => !right.has(n)))
      else fail(`expected an operator, got '${op}'`)
    }
    return left
  }
  if (tokens.length === 0) fail('is empty')
  const result = parseExpr()
  if (pos !== tokens.length) fail(`unexpected '${tokens[pos]}'`)
  return result
}

function termMatches(term: string, site: Named): boolean {
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(=|>|<)(.+)$/.exec(term)
  if (!m) return site.name === term
  const [, key, op, raw] = m as unknown as [string, string, string, string]
  const value = key === 'name' ? site.name : site.attributes[key]
  if (value === undefined || value === null) return false
  if (op === '=') return String(value) === raw
  const a = Number(value)
  const b = Number(raw)
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false
  return op === '>' ? a > b : a < b
}
