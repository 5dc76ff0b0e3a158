/**
 * A CommandLineTool's command line: baseCommand, then `arguments` and bound inputs sorted by
 * position (then by name or order), each value turned into words by its binding — prefix and
 * separate, itemSeparator for arrays, records field by field, booleans as flags, files by
 * path — with `valueFrom` evaluated against the value (`self`).
 */
import type { Param } from './document.js'
import { isFileLike } from './files.js'
import { evaluate, type ExpressionContext, type JsEvaluator } from './param-refs.js'
import { isObject, memberFor, text, type Binding, type CwlType } from './types.js'

export interface Word {
  text: string
  /** false: passed to the shell as written (ShellCommandRequirement's `shellQuote: false`). */
  quote: boolean
}

interface Bound {
  key: Array<number | string>
  words: Word[]
}

export function buildCommandLine(
  raw: Record<string, unknown>,
  inputs: readonly Param[],
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): Word[] {
  const base =
    raw.baseCommand === undefined
      ? []
      : Array.isArray(raw.baseCommand)
        ? raw.baseCommand
        : [raw.baseCommand]
  const bound: Bound[] = []
  ;((raw.arguments as unknown[] | undefined) ?? []).forEach((arg, i) => {
    if (isObject(arg)) {
      const { valueFrom, ...binding } = arg as Binding
      const self =
        valueFrom === undefined ? null : evaluate(valueFrom, { ...context, self: null }, js)
      bound.push({
        key: [position(binding, context, js), i],
        words: bindValue(binding, 'Any', self, context, js),
      })
    } else {
      const v = evaluate(arg, context, js)
      bound.push({ key: [0, i], words: words(v).map((text) => ({ text, quote: true })) })
    }
  })
  for (const param of inputs) {
    const value = context.inputs[param.id]
    // A null value binds nothing: its valueFrom is not even evaluated.
    if (value === null || value === undefined) continue
    if (!param.inputBinding) {
      bound.push(...unboundRecordFields(param, value, context, js))
      continue
    }
    bound.push({
      key: [position(param.inputBinding, { ...context, self: value }, js), param.id],
      words: bindValue(param.inputBinding, param.type, value, context, js),
    })
  }
  bound.sort((a, b) => compareKeys(a.key, b.key))
  return [...base.map((b) => ({ text: String(b), quote: true })), ...bound.flatMap((b) => b.words)]
}

/**
 * A record input without a binding of its own: its fields' bindings take their places among
 * the command line's other parts (sorted by their positions, then their names).
 */
function unboundRecordFields(
  param: Param,
  value: unknown,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): Bound[] {
  if (!isObject(value) || isFileLike(value)) return []
  const member = memberFor(param.type, value)
  if (typeof member !== 'object' || Array.isArray(member) || member.type !== 'record') return []
  if (member.inputBinding) {
    return [
      {
        key: [position(member.inputBinding, { ...context, self: value }, js), param.id],
        words: bindValue(member.inputBinding, member, value, context, js),
      },
    ]
  }
  return member.fields
    .filter((f) => f.inputBinding && value[f.name] !== null && value[f.name] !== undefined)
    .map((f) => ({
      key: [position(f.inputBinding!, { ...context, self: value[f.name] }, js), f.name],
      words: bindValue(f.inputBinding!, f.type, value[f.name], context, js),
    }))
}

function position(
  binding: Binding,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): number {
  const p = evaluate(binding.position ?? 0, context, js)
  return typeof p === 'number' ? p : Number(p) || 0
}

function compareKeys(a: Array<number | string>, b: Array<number | string>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (typeof x === 'number' && typeof y === 'number') return x - y
    if (typeof x === 'number') return -1
    if (typeof y === 'number') return 1
    return x < y ? -1 : 1
  }
  return 0
}

/** The words one bound value gives. */
function bindValue(
  binding: Binding,
  type: CwlType,
  value: unknown,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): Word[] {
  const v =
    binding.valueFrom !== undefined
      ? evaluate(binding.valueFrom, { ...context, self: value }, js)
      : value
  const quote = binding.shellQuote !== false
  const member = memberFor(type, v)
  const prefixed = (texts: string[]): Word[] => {
    if (binding.prefix === undefined) return texts.map((text) => ({ text, quote }))
    if (texts.length === 0) return []
    if (binding.separate === false) {
      return [
        { text: binding.prefix + texts[0], quote },
        ...texts.slice(1).map((text) => ({ text, quote })),
      ]
    }
    return [{ text: binding.prefix, quote }, ...texts.map((text) => ({ text, quote }))]
  }
  if (v === null || v === undefined) return []
  if (typeof v === 'boolean') {
    return v && binding.prefix !== undefined ? [{ text: binding.prefix, quote }] : []
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return []
    const items =
      typeof member === 'object' && !Array.isArray(member) && member.type === 'array'
        ? member.items
        : 'Any'
    if (binding.itemSeparator !== undefined) {
      return prefixed([v.map((item) => words(item).join(' ')).join(binding.itemSeparator)])
    }
    const inner = v.flatMap((item) => {
      const itemMember = memberFor(items, item)
      const itemBinding =
        typeof itemMember === 'object' && !Array.isArray(itemMember)
          ? itemMember.inputBinding
          : undefined
      return itemBinding
        ? bindValue(itemBinding, itemMember, item, context, js)
        : words(item).map((text) => ({ text, quote }))
    })
    return binding.prefix === undefined ? inner : [{ text: binding.prefix, quote }, ...inner]
  }
  if (isObject(v) && !isFileLike(v)) {
    const fields =
      typeof member === 'object' && !Array.isArray(member) && member.type === 'record'
        ? member.fields
        : []
    const parts = fields
      .filter((f) => f.inputBinding && v[f.name] !== null && v[f.name] !== undefined)
      .map((f) => ({
        key: [position(f.inputBinding!, { ...context, self: v[f.name] }, js), f.name] as Array<
          number | string
        >,
        words: bindValue(f.inputBinding!, f.type, v[f.name], context, js),
      }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .flatMap((p) => p.words)
    return binding.prefix === undefined ? parts : [{ text: binding.prefix, quote }, ...parts]
  }
  return prefixed(words(v))
}

/** A value as command-line text. */
function words(v: unknown): string[] {
  if (v === null || v === undefined) return []
  if (isFileLike(v)) return [String(v.path ?? v.location)]
  if (Array.isArray(v)) return v.flatMap(words)
  if (typeof v === 'number') return [formatNumber(v)]
  if (typeof v === 'object') return [JSON.stringify(v)]
  return [text(v)]
}

/** Numbers as the reference runner writes them (no exponent for ordinary magnitudes). */
export function formatNumber(n: number): string {
  return String(n)
}

/** Single-quotes a word for /bin/sh. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
