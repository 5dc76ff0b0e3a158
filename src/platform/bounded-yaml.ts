/**
 * YAML read under limits, so a hostile document costs a bounded amount of work: the text size
 * caps the parser's time (it is linear, about 0.7 µs per byte here), and nodes, depth and
 * aliases are counted before the document is turned into values. The parser's own duplicate-key
 * check compares every key with every other (40,000 keys took 10 s), so keys are checked here
 * with one set per mapping instead.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  YAMLParseError,
  type Document,
} from 'yaml'
import { ContinuumError } from './errors.js'
import { checkValueLimits, type ValueLimits } from './value-limits.js'

export interface YamlLimits extends ValueLimits {
  /** UTF-8 bytes of the text. */
  maxBytes: number
  /** Scalars, mappings, sequences and aliases together. */
  maxNodes: number
  /** Alias references (`*a`); each may expand to a whole subtree. */
  maxAliases: number
}

export interface BoundedYaml {
  doc: Document.Parsed
  lines: LineCounter
}

/**
 * Parses `text`; throws PAYLOAD_TOO_LARGE over `maxBytes` and INPUT_TOO_COMPLEX over the other
 * limits. Syntax errors and duplicate keys are left in `doc.errors` for the caller to report
 * with positions, as before.
 */
export function parseYamlBounded(text: string, limits: YamlLimits, what: string): BoundedYaml {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > limits.maxBytes) {
    throw new ContinuumError(
      'PAYLOAD_TOO_LARGE',
      `${what} is ${bytes} bytes; at most ${limits.maxBytes} are accepted`,
      { limit: limits.maxBytes, size: bytes },
    )
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: true,
    uniqueKeys: false,
  })
  if (doc.errors.length === 0) countNodes(doc, limits, what, lines)
  return { doc, lines }
}

/**
 * The document as plain values; an alias expansion past the limit (a "billion laughs") or a
 * value past the value limits is INPUT_TOO_COMPLEX, not a crash.
 */
export function yamlToValue(doc: Document.Parsed, limits: YamlLimits, what: string): unknown {
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliases })
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError) {
      throw tooComplex(what, 'its aliases expand too far', { maxAliases: limits.maxAliases }, err)
    }
    throw err
  }
  checkValueLimits(value, limits, what)
  return value
}

function countNodes(doc: Document.Parsed, limits: YamlLimits, what: string, lines: LineCounter) {
  let nodes = 0
  let aliases = 0
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 1 }]
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!
    if (node === null || node === undefined) continue
    if (++nodes > limits.maxNodes) {
      throw tooComplex(what, `it has more than ${limits.maxNodes} nodes`, {
        maxNodes: limits.maxNodes,
      })
    }
    if (depth > limits.maxDepth) {
      throw tooComplex(what, `it nests deeper than ${limits.maxDepth} levels`, {
        maxDepth: limits.maxDepth,
      })
    }
    if (isAlias(node)) {
      if (++aliases > limits.maxAliases) {
        throw tooComplex(what, `it has more than ${limits.maxAliases} aliases`, {
          maxAliases: limits.maxAliases,
        })
      }
    } else if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? pair.key.value : pair.key
        if (seen.has(key)) {
          const pos = (pair.key as { range?: [number, number] } | null)?.range ?? [0, 0]
          const error = new YAMLParseError(
            [pos[0], pos[1]],
            'DUPLICATE_KEY',
            'Map keys must be unique',
          )
          const at = lines.linePos(pos[0])
          error.linePos = [at]
          error.message = `Map keys must be unique at line ${at.line}, column ${at.col}`
          doc.errors.push(error)
        }
        seen.add(key)
        if (!isScalar(pair.key)) stack.push({ node: pair.key, depth: depth + 1 })
        stack.push({ node: pair.value, depth: depth + 1 })
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 })
    }
  }
}

function tooComplex(
  what: string,
  why: string,
  details: Record<string, unknown>,
  cause?: unknown,
): ContinuumError {
  return new ContinuumError(
    'INPUT_TOO_COMPLEX',
    `${what} is refused: ${why}`,
    details,
    cause === undefined ? undefined : { cause },
  )
}
