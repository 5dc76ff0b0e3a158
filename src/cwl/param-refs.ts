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

/** Whether a string holds an expression or a parameter reference at all. */
export function hasExpression(text: string): boolean {
  return /(^|[^\\])\$[({]/.test(text)
}

export function evaluate(text: unknown, context: ExpressionContext, js?: JsEvaluator): unknown {
  if (typeof text !== 'string' || !hasExpression(text)) return text
  const parts = scan(text)
  // One expression, whitespace around it aside (block scalars end with a newline), is its value.
  const lead = text.length - text.trimStart().length
  const trail = text.trimEnd().length
  if (parts.length === 1 && parts[0]!.start === lead && parts[0]!.end === trail) {
    return value(parts[0]!, context, js)
  }
  let out = ''
  let at = 0
  for (const part of parts) {
    out += unescape(text.slice(at, part.start))
    const v = value(part, context, js)
    out += typeof v === 'string' ? v : JSON.stringify(v ?? null)
    at = part.end
  }
  return out + unescape(text.slice(at))
}

function unescape(text: string): string {
  return text.replace(/\\\$/g, '$')
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

/** Every `$(…)` and `${…}` of a string, with its parameter reference when it is one. */
function scan(text: string): Found[] {
  const out: Found[] = []
  let i = 0
  while (i < text.length) {
    const at = text.indexOf('$', i)
    if (at < 0) break
    if (at > 0 && text[at - 1] === '\\') {
      i = at + 1
      continue
    }
    const open = text[at + 1]
    if (open !== '(' && open !== '{') {
      i = at + 1
      continue
    }
    const end = closing(text, at + 1)
    const code = text.slice(at + 2, end)
    out.push({
      start: at,
      end: end + 1,
      ref: open === '(' ? reference(code) : null,
      code,
      block: open === '{',
    })
    i = end + 1
  }
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
