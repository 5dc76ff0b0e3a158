/**
 * CWL parameter references, `$(inputs.x.path)` and `$(self[0]['b az'].length)`, evaluated
 * without a JavaScript engine: a symbol (`inputs`, `self`, `runtime`) followed by `.name`,
 * `['name']`, `["name"]` or `[index]` segments. A string that is one reference yields its
 * value; references inside a longer string are interpolated (non-strings as JSON). `\$(` is a
 * literal `$(`. Anything else inside `$( )`, or `${ }`, is JavaScript, which needs
 * InlineJavascriptRequirement and the expression engine.
 */
import { CwlError } from './errors.js'

export interface ExpressionContext {
  inputs: Record<string, unknown>
  self: unknown
  runtime: Record<string, unknown>
}

/** Evaluates JavaScript expressions when the process allows them (see expressions.ts). */
export type JsEvaluator = (code: string, context: ExpressionContext, block: boolean) => unknown

type Segment = string | number

interface Found {
  start: number
  end: number
  ref: { symbol: string; segments: Segment[] } | null
  code: string
  block: boolean
}

/** Whether a string holds an expression or a parameter reference (or an escaped one) at all. */
export function hasExpression(text: string): boolean {
  return text.includes('$(') || text.includes('${')
}

export function evaluate(text: unknown, context: ExpressionContext, js?: JsEvaluator): unknown {
  if (typeof text !== 'string' || !hasExpression(text)) return text
  const parts = scan(text)
  const found = parts.filter((p): p is Found => typeof p !== 'string')
  // One expression, whitespace around it aside (block scalars end with a newline), is its value.
  const lead = text.length - text.trimStart().length
  const trail = text.trimEnd().length
  if (found.length === 1 && found[0]!.start === lead && found[0]!.end === trail) {
    return value(found[0]!, context, js)
  }
  let out = ''
  for (const part of parts) {
    if (typeof part === 'string') out += part
    else {
      const v = value(part, context, js)
      out += typeof v === 'string' ? v : JSON.stringify(v ?? null)
    }
  }
  return out
}

function value(found: Found, context: ExpressionContext, js?: JsEvaluator): unknown {
  if (found.ref) return resolve(found.ref.symbol, found.ref.segments, context)
  if (!js) {
    throw new CwlError(
      'unsupported',
      `'${found.block ? '${' : '$('}${found.code}${found.block ? '}' : ')'}' is a JavaScript expression: it needs InlineJavascriptRequirement`,
    )
  }
  return js(found.code, context, found.block)
}

const literals: Record<string, unknown> = { null: null, true: true, false: false }

function resolve(symbol: string, segments: Segment[], context: ExpressionContext): unknown {
  if (symbol in literals && segments.length === 0) return literals[symbol]
  let v: unknown = (context as unknown as Record<string, unknown>)[symbol]
  if (v === undefined && !(symbol in context)) {
    throw new CwlError('failed', `unknown symbol '${symbol}' in a parameter reference`)
  }
  // A process sees only its declared inputs: naming another is an error, not null.
  const first = segments[0]
  if (symbol === 'inputs' && first !== undefined && !(String(first) in context.inputs)) {
    throw new CwlError('failed', `inputs.${String(first)}: no such input`)
  }
  for (const s of segments) {
    if (s === 'length' && Array.isArray(v)) v = v.length
    else if (typeof s === 'number' && Array.isArray(v)) v = v[s]
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      v = (v as Record<string, unknown>)[String(s)]
    } else {
      throw new CwlError('failed', `cannot take '${s}' of ${JSON.stringify(v ?? null)}`)
    }
  }
  return v ?? null
}

/**
 * A string cut into literal text and its `$(…)` and `${…}` expressions. Backslashes escape as
 * the reference runner has them: `\\$(` and `\\${` are the literal `$(` and `${`, `\\\\` is one
 * backslash, and a backslash before anything else stays as written.
 */
function scan(text: string): Array<string | Found> {
  const out: Array<string | Found> = []
  let literal = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '\\') {
      const next = text[i + 1]
      if (next === '$' && (text[i + 2] === '(' || text[i + 2] === '{')) {
        literal += text.slice(i + 1, i + 3)
        i += 3
      } else if (next === '\\') {
        literal += '\\'
        i += 2
      } else {
        literal += text.slice(i, i + 2)
        i += 2
      }
      continue
    }
    const open = text[i + 1]
    if (c !== '$' || (open !== '(' && open !== '{')) {
      literal += c
      i++
      continue
    }
    const end = closing(text, i + 1)
    const code = text.slice(i + 2, end)
    if (literal) out.push(literal)
    literal = ''
    out.push({
      start: i,
      end: end + 1,
      ref: open === '(' ? reference(code) : null,
      code,
      block: open === '{',
    })
    i = end + 1
  }
  if (literal) out.push(literal)
  return out
}

/** The index of the bracket closing the one at `open`, skipping strings. */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' }
  const stack = [pairs[text[open]!]!]
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++
    } else if (pairs[c]) stack.push(pairs[c])
    else if (c === stack[stack.length - 1]) {
      stack.pop()
      if (stack.length === 0) return i
    }
  }
  throw new CwlError('invalid', `unterminated expression in '${text}'`)
}

/** The reference `code` is, or null when it is JavaScript. */
function reference(code: string): { symbol: string; segments: Segment[] } | null {
  const head = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(code)
  if (!head) return null
  const segments: Segment[] = []
  let rest = code.slice(head[0].length)
  while (rest.trim() !== '') {
    let m: RegExpExecArray | null
    if ((m = /^\.([A-Za-z0-9_]+)/.exec(rest))) segments.push(m[1]!)
    else if ((m = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest))) {
      segments.push(m[1]!.replace(/\\(.)/g, '$1'))
    } else if ((m = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest))) {
      segments.push(m[1]!.replace(/\\(.)/g, '$1'))
    } else if ((m = /^\[(\d+)\]/.exec(rest))) segments.push(Number(m[1]))
    else return null
    rest = rest.slice(m[0].length)
  }
  return { symbol: head[1]!, segments }
}
