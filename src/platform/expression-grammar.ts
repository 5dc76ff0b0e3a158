/**
 * The endpoint expression language, with Rucio's RSE-expression grammar so that users' habits
 * carry over:
 *
 *   expr     := term (op term)*          op: '&' intersection, '|' union, '\' difference
 *   term     := '(' expr ')' | primitive
 *   primitive:= key '=' value | key '<' number | key '>' number | NAME | '*'
 *
 * Operators are applied strictly left to right with no precedence (`A|B&C` is `(A|B)&C`), as in
 * Rucio. Parsing is pure; every syntax error names the 0-based position where it was noticed.
 * It lives in platform/ because the catalogue evaluates it too, over services (allocations).
 */
import { ContinuumError } from './errors.js'

export type ExpressionNode =
  | { kind: 'all' }
  | { kind: 'name'; name: string }
  | { kind: 'equals'; key: string; value: string }
  | { kind: 'less'; key: string; value: number }
  | { kind: 'greater'; key: string; value: number }
  | { kind: 'op'; op: '&' | '|' | '\\'; left: ExpressionNode; right: ExpressionNode }

/** Long enough for any real expression, short enough that parsing can't be used for DoS. */
export const maxExpressionLength = 1000
const maxDepth = 50

// Keys and bare names: letters, digits, '_', '-', '.'; values additionally ':' and '/'-free URLs parts.
const wordChar = /[A-Za-z0-9_.\-:]/

interface Token {
  kind: 'word' | '(' | ')' | '&' | '|' | '\\' | '=' | '<' | '>' | '*'
  text: string
  pos: number
}

function syntaxError(expression: string, position: number, problem: string): ContinuumError {
  const pointer = `${expression}\n${' '.repeat(Math.min(position, expression.length))}^`
  return new ContinuumError(
    'EXPRESSION_INVALID',
    `endpoint expression: ${problem} at position ${position}\n${pointer}`,
    { expression, position, problem },
  )
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < expression.length) {
    const c = expression.charAt(i)
    if (c === ' ' || c === '\t') {
      i++
    } else if ('()&|\\=<>*'.includes(c)) {
      tokens.push({ kind: c as Token['kind'], text: c, pos: i })
      i++
    } else if (wordChar.test(c)) {
      const start = i
      while (i < expression.length && wordChar.test(expression.charAt(i))) i++
      tokens.push({ kind: 'word', text: expression.slice(start, i), pos: start })
    } else {
      throw syntaxError(expression, i, `unexpected character ${JSON.stringify(c)}`)
    }
  }
  return tokens
}

/** Parses an expression into a tree; throws EXPRESSION_INVALID with the position. */
export function parseExpression(expression: string): ExpressionNode {
  if (expression.length > maxExpressionLength) {
    throw new ContinuumError(
      'EXPRESSION_INVALID',
      `endpoint expression is ${expression.length} characters long; at most ${maxExpressionLength} are allowed`,
      { expression: expression.slice(0, 100), position: maxExpressionLength, problem: 'too long' },
    )
  }
  const tokens = tokenize(expression)
  if (tokens.length === 0) throw syntaxError(expression, 0, 'empty expression')
  let at = 0
  const peek = (): Token | undefined => tokens[at]
  const endPos = expression.length

  function parseSequence(depth: number): ExpressionNode {
    if (depth > maxDepth) {
      throw syntaxError(expression, peek()?.pos ?? endPos, 'parentheses nested too deeply')
    }
    let left = parseTerm(depth)
    for (;;) {
      const t = peek()
      if (t === undefined || t.kind === ')') return left
      if (t.kind !== '&' && t.kind !== '|' && t.kind !== '\\') {
        throw syntaxError(expression, t.pos, `expected '&', '|' or '\\' but found '${t.text}'`)
      }
      at++
      left = { kind: 'op', op: t.kind, left, right: parseTerm(depth) }
    }
  }

  function parseTerm(depth: number): ExpressionNode {
    const t = peek()
    if (t === undefined) {
      throw syntaxError(expression, endPos, 'expression ends where a term was expected')
    }
    if (t.kind === '(') {
      at++
      const inner = parseSequence(depth + 1)
      const close = peek()
      if (close?.kind !== ')') {
        throw syntaxError(
          expression,
          close?.pos ?? endPos,
          `missing ')' for '(' at position ${t.pos}`,
        )
      }
      at++
      return inner
    }
    if (t.kind === '*') {
      at++
      return { kind: 'all' }
    }
    if (t.kind !== 'word') {
      throw syntaxError(
        expression,
        t.pos,
        `expected an attribute, a name, '*' or '(' but found '${t.text}'`,
      )
    }
    at++
    const op = peek()
    if (op?.kind !== '=' && op?.kind !== '<' && op?.kind !== '>') {
      return { kind: 'name', name: t.text }
    }
    at++
    const value = peek()
    if (value?.kind !== 'word') {
      throw syntaxError(
        expression,
        value?.pos ?? endPos,
        `expected a value after '${t.text}${op.text}'`,
      )
    }
    if (value.pos !== op.pos + 1 || op.pos !== t.pos + t.text.length) {
      throw syntaxError(
        expression,
        op.pos,
        `no spaces are allowed inside '${t.text}${op.text}${value.text}'`,
      )
    }
    at++
    if (op.kind === '=') return { kind: 'equals', key: t.text, value: value.text }
    const n = Number(value.text)
    if (!/^-?\d+(\.\d+)?$/.test(value.text) || !Number.isFinite(n)) {
      throw syntaxError(
        expression,
        value.pos,
        `'${t.text}${op.text}' needs a number, not '${value.text}'`,
      )
    }
    return { kind: op.kind === '<' ? 'less' : 'greater', key: t.text, value: n }
  }

  const tree = parseSequence(0)
  const rest = peek()
  if (rest !== undefined) throw syntaxError(expression, rest.pos, `unmatched '${rest.text}'`)
  return tree
}

/** The canonical text of a tree: fully parenthesised, so it reads the same with or without precedence. */
export function formatExpression(node: ExpressionNode): string {
  switch (node.kind) {
    case 'all':
      return '*'
    case 'name':
      return node.name
    case 'equals':
      return `${node.key}=${node.value}`
    case 'less':
      return `${node.key}<${node.value}`
    case 'greater':
      return `${node.key}>${node.value}`
    case 'op':
      return `(${formatExpression(node.left)}${node.op}${formatExpression(node.right)})`
  }
}
