import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ContinuumError } from '../platform/index.js'
import { EndpointIndex, type ExpressionEndpoint } from './expression-evaluator.js'
import { formatExpression, parseExpression } from './expression-parser.js'

const endpoints: ExpressionEndpoint[] = [
  {
    name: 'DESY-DISK',
    attributes: { country: 'DE', tier: 1, type: 'disk', freespace: 500, T1: true },
  },
  { name: 'DESY-TAPE', attributes: { country: 'DE', tier: 1, type: 'tape', freespace: 9000 } },
  { name: 'KIT-DISK', attributes: { country: 'DE', tier: 2, type: 'disk', freespace: 50 } },
  {
    name: 'IN2P3-DISK',
    attributes: { country: 'FR', tier: 1, type: 'disk', freespace: 120, T1: true },
  },
  { name: 'CNAF-DISK', attributes: { country: 'IT', tier: '1', type: 'disk', freespace: 0 } },
]
const index = new EndpointIndex(endpoints)
const select = (e: string) => index.select(e).map((x) => x.name)

function errorOf(fn: () => unknown): ContinuumError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ContinuumError)
    return err
  }
  assert.fail('expected an error')
}

describe('endpoint expressions', () => {
  it('selects by attribute, name, tag and *', () => {
    assert.deepEqual(select('country=DE'), ['DESY-DISK', 'DESY-TAPE', 'KIT-DISK'])
    assert.deepEqual(select('KIT-DISK'), ['KIT-DISK'])
    assert.deepEqual(select('T1'), ['DESY-DISK', 'IN2P3-DISK'])
    assert.equal(select('*').length, 5)
    assert.deepEqual(
      select('tier=1'),
      ['DESY-DISK', 'DESY-TAPE', 'IN2P3-DISK', 'CNAF-DISK'],
      'numbers and numeric strings compare as text',
    )
  })

  it('compares numbers strictly', () => {
    assert.deepEqual(select('freespace>120'), ['DESY-DISK', 'DESY-TAPE'])
    assert.deepEqual(select('freespace<50'), ['CNAF-DISK'])
    assert.deepEqual(select('freespace>-1'), select('*'))
    assert.deepEqual(select('tier<2'), ['DESY-DISK', 'DESY-TAPE', 'IN2P3-DISK', 'CNAF-DISK'])
  })

  it('applies &, | and \\ left to right without precedence', () => {
    assert.deepEqual(select('country=DE|country=FR'), [
      'DESY-DISK',
      'DESY-TAPE',
      'KIT-DISK',
      'IN2P3-DISK',
    ])
    assert.deepEqual(select('country=DE&type=disk'), ['DESY-DISK', 'KIT-DISK'])
    assert.deepEqual(select('country=DE\\type=tape'), ['DESY-DISK', 'KIT-DISK'])
    // (FR | DE) & tape — with precedence it would be FR | (DE & tape)
    assert.deepEqual(select('country=FR|country=DE&type=tape'), ['DESY-TAPE'])
    assert.deepEqual(select('country=FR|(country=DE&type=tape)'), ['DESY-TAPE', 'IN2P3-DISK'])
    assert.deepEqual(select('* \\ (tier=1 & type=disk)'), ['DESY-TAPE', 'KIT-DISK'])
  })

  it('reports an empty selection with the expression', () => {
    const err = errorOf(() => index.select('country=ES'))
    assert.equal(err.code, 'EXPRESSION_EMPTY')
    assert.match(err.message, /country=ES/)
    assert.equal(index.count('country=ES'), 0)
  })

  it('points at the position of syntax errors', () => {
    const cases: Array<[string, number]> = [
      ['', 0],
      ['country=', 8],
      ['country=DE&', 11],
      ['(country=DE', 11],
      ['country=DE)', 10],
      ['country=DE tier=1', 11],
      ['freespace>lots', 10],
      ['a$b', 1],
      ['&tier=1', 0],
      ['country = DE', 8],
      ['tier=1||tier=2', 7],
    ]
    for (const [expression, position] of cases) {
      const err = errorOf(() => parseExpression(expression))
      assert.equal(err.code, 'EXPRESSION_INVALID', expression)
      assert.equal(err.details.position, position, `${expression}: ${err.message}`)
    }
    assert.equal(errorOf(() => parseExpression('a'.repeat(1001))).code, 'EXPRESSION_INVALID')
    assert.equal(
      errorOf(() => parseExpression('('.repeat(60) + 'a' + ')'.repeat(60))).code,
      'EXPRESSION_INVALID',
    )
  })

  it('formats a tree so that it parses back to the same tree', () => {
    const tree = parseExpression('country=DE|tier=1&freespace>100\\KIT-DISK')
    assert.equal(formatExpression(tree), '(((country=DE|tier=1)&freespace>100)\\KIT-DISK)')
    assert.deepEqual(parseExpression(formatExpression(tree)), tree)
  })

  // Reference semantics: a naive scan per term, combined left to right.
  const key = fc.constantFrom('country', 'tier', 'type', 'freespace')
  const value = fc.constantFrom('DE', 'FR', 'IT', '1', '2', 'disk', 'tape', '50', '120')
  const primitive = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
    fc
      .tuple(key, fc.integer({ min: -10, max: 10000 }), fc.constantFrom('<', '>'))
      .map(([k, n, op]) => `${k}${op}${n}`),
    fc.constantFrom('*', 'T1', 'KIT-DISK', 'NOPE'),
  )
  const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      primitive,
      fc
        .tuple(tie('e'), fc.constantFrom('&', '|', '\\'), tie('e'))
        .map(([a, op, b]) => `${a}${op}${b}`),
      tie('e').map((e) => `(${e})`),
    ),
  })).e

  function reference(e: string): string[] {
    return endpoints.filter((ep) => matches(parseExpression(e), ep)).map((ep) => ep.name)
  }
  function matches(node: ReturnType<typeof parseExpression>, ep: ExpressionEndpoint): boolean {
    const attr = (k: string) => ep.attributes[k]
    switch (node.kind) {
      case 'all':
        return true
      case 'name':
        return ep.name === node.name || attr(node.name) === true
      case 'equals':
        return attr(node.key) !== undefined && String(attr(node.key)) === node.value
      case 'less':
        return attr(node.key) !== undefined && Number(attr(node.key)) < node.value
      case 'greater':
        return attr(node.key) !== undefined && Number(attr(node.key)) > node.value
      case 'op': {
        const l = matches(node.left, ep)
        const r = matches(node.right, ep)
        return node.op === '&' ? l && r : node.op === '|' ? l || r : l && !r
      }
    }
  }

  it('agrees with a naive reference evaluator on random expressions', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const want = reference(e)
        assert.equal(index.count(e), want.length)
        if (want.length) assert.deepEqual(select(e), want)
        else assert.equal(errorOf(() => index.select(e)).code, 'EXPRESSION_EMPTY')
      }),
      { numRuns: 500 },
    )
  })

  it('never throws anything but EXPRESSION_INVALID on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseExpression(text)
        } catch (err) {
          assert.ok(err instanceof ContinuumError && err.code === 'EXPRESSION_INVALID', String(err))
          const pos = err.details.position as number
          assert.ok(pos >= 0 && pos <= text.length, `position ${pos} inside '${text}'`)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
