/**
 * Evaluates endpoint expressions over a snapshot of endpoints. The snapshot is indexed once
 * (bit sets per `key=value`, sorted arrays per numeric key), so that one expression over 10k
 * endpoints costs a few hundred word operations, not a scan per term.
 */
import { ContinuumError } from '../platform/index.js'
import { formatExpression, parseExpression, type ExpressionNode } from './expression-parser.js'

/** What the evaluator needs of an endpoint: its name and attributes (strings, numbers, booleans). */
export interface ExpressionEndpoint {
  name: string
  attributes: Readonly<Record<string, string | number | boolean>>
}

class BitSet {
  readonly words: Uint32Array
  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5)
  }
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31)
  }
  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0
  }
  combine(other: BitSet, op: '&' | '|' | '\\'): BitSet {
    const out = new BitSet(this.size)
    const a = this.words
    const b = other.words
    const o = out.words
    if (op === '&') for (let i = 0; i < o.length; i++) o[i] = a[i]! & b[i]!
    else if (op === '|') for (let i = 0; i < o.length; i++) o[i] = a[i]! | b[i]!
    else for (let i = 0; i < o.length; i++) o[i] = a[i]! & ~b[i]!
    return out
  }
  isEmpty(): boolean {
    return this.words.every((w) => w === 0)
  }
}

/** Attribute values compare as text for `=`: `tier=1` matches the number 1 and the string '1'. */
function text(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value)
}

const parsedCache = new Map<string, ExpressionNode>()
const maxCached = 1000

/** Parses with a small cache: rules re-evaluate the same few expressions over and over. */
export function parseCached(expression: string): ExpressionNode {
  let tree = parsedCache.get(expression)
  if (tree === undefined) {
    tree = parseExpression(expression)
    if (parsedCache.size >= maxCached) parsedCache.clear()
    parsedCache.set(expression, tree)
  }
  return tree
}

export class EndpointIndex<E extends ExpressionEndpoint = ExpressionEndpoint> {
  private readonly byEquals = new Map<string, BitSet>()
  private readonly byName = new Map<string, number>()
  private readonly numeric = new Map<string, { values: Float64Array; positions: Int32Array }>()
  private readonly compared = new Map<string, BitSet>()
  private readonly everything: BitSet
  private readonly empty: BitSet

  constructor(readonly endpoints: readonly E[]) {
    const n = endpoints.length
    this.everything = new BitSet(n)
    this.empty = new BitSet(n)
    const numericPairs = new Map<string, Array<[number, number]>>()
    endpoints.forEach((endpoint, i) => {
      this.everything.set(i)
      this.byName.set(endpoint.name, i)
      for (const [key, value] of Object.entries(endpoint.attributes)) {
        this.bits(`${key}=${text(value)}`).set(i)
        const num =
          typeof value === 'number'
            ? value
            : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
              ? Number(value)
              : NaN
        if (Number.isFinite(num)) {
          let pairs = numericPairs.get(key)
          if (!pairs) numericPairs.set(key, (pairs = []))
          pairs.push([num, i])
        }
      }
    })
    for (const [key, pairs] of numericPairs) {
      pairs.sort((a, b) => a[0] - b[0])
      this.numeric.set(key, {
        values: Float64Array.from(pairs, (p) => p[0]),
        positions: Int32Array.from(pairs, (p) => p[1]),
      })
    }
  }

  private bits(key: string): BitSet {
    let set = this.byEquals.get(key)
    if (!set) this.byEquals.set(key, (set = new BitSet(this.endpoints.length)))
    return set
  }

  /** The endpoints an expression selects, in index order; throws EXPRESSION_EMPTY if none. */
  select(expression: string): E[] {
    const result = this.evaluate(parseCached(expression))
    const out: E[] = []
    for (let i = 0; i < this.endpoints.length; i++) if (result.has(i)) out.push(this.endpoints[i]!)
    if (out.length === 0) {
      throw new ContinuumError(
        'EXPRESSION_EMPTY',
        `endpoint expression '${expression}' selects no endpoint`,
        {
          expression,
          canonical: formatExpression(parseCached(expression)),
        },
      )
    }
    return out
  }

  /** Number of endpoints selected, without materialising them; 0 is allowed here. */
  count(expression: string): number {
    const set = this.evaluate(parseCached(expression))
    let n = 0
    for (const word of set.words) n += popcount(word)
    return n
  }

  private evaluate(node: ExpressionNode): BitSet {
    switch (node.kind) {
      case 'all':
        return this.everything
      case 'name': {
        // A bare word is an endpoint name or an attribute set to true (Rucio's tags, e.g. T1).
        const tagged = this.byEquals.get(`${node.name}=true`)
        const index = this.byName.get(node.name)
        if (index === undefined) return tagged ?? this.empty
        const one = new BitSet(this.endpoints.length)
        one.set(index)
        return tagged ? one.combine(tagged, '|') : one
      }
      case 'equals':
        return this.byEquals.get(`${node.key}=${node.value}`) ?? this.empty
      case 'less':
      case 'greater':
        return this.compare(node.key, node.kind, node.value)
      case 'op':
        return this.evaluate(node.left).combine(this.evaluate(node.right), node.op)
    }
  }

  private compare(key: string, kind: 'less' | 'greater', bound: number): BitSet {
    // Rules repeat the same few comparisons; the index is immutable, so their sets can be kept.
    const cacheKey = `${key}${kind === 'less' ? '<' : '>'}${bound}`
    let cached = this.compared.get(cacheKey)
    if (!cached) {
      if (this.compared.size >= 1000) this.compared.clear()
      this.compared.set(cacheKey, (cached = this.scan(key, kind, bound)))
    }
    return cached
  }

  private scan(key: string, kind: 'less' | 'greater', bound: number): BitSet {
    const column = this.numeric.get(key)
    const out = new BitSet(this.endpoints.length)
    if (!column) return out
    const { values, positions } = column
    if (kind === 'less') {
      for (let i = 0; i < values.length && values[i]! < bound; i++) out.set(positions[i]!)
    } else {
      for (let i = upperBound(values, bound); i < values.length; i++) out.set(positions[i]!)
    }
    return out
  }
}

/** First index whose value is > bound. */
function upperBound(values: Float64Array, bound: number): number {
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[mid]! <= bound) lo = mid + 1
    else hi = mid
  }
  return lo
}

function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}
