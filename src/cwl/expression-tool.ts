/**
 * Running an ExpressionTool: its expression evaluated on the prepared inputs, and the File and
 * Directory literals it returns (a `contents`, a `listing`, no location) written out as real
 * files in `folder`, so that they can be read, staged and copied like any other output.
 */
import { mkdirSync } from 'node:fs'
import type { Process } from './document.js'
import { CwlError } from './errors.js'
import { describeOutput, isFileLike, resolveInput } from './files.js'
import { evaluate, type JsEvaluator } from './param-refs.js'
import { isObject, text } from './types.js'

export function runExpressionTool(
  tool: Process,
  inputs: Record<string, unknown>,
  js: JsEvaluator | undefined,
  folder: string,
): Record<string, unknown> {
  const out = evaluate(tool.raw.expression, { inputs, self: null, runtime: {} }, js)
  if (!isObject(out)) throw new CwlError('failed', 'the ExpressionTool did not give an object')
  return materialize(out, tool.baseDir, folder) as Record<string, unknown>
}

/** Literals inside a value (records and arrays included) made real files in `folder`. */
export function materialize(value: unknown, baseDir: string, folder: string): unknown {
  if (Array.isArray(value)) return value.map((v) => materialize(v, baseDir, folder))
  if (isFileLike(value)) {
    if (text(value.location) || text(value.path)) return value
    mkdirSync(folder, { recursive: true })
    const made = resolveInput(value, baseDir, folder)
    return describeOutput(made, String(made.path))
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, materialize(v, baseDir, folder)]),
    )
  }
  return value
}
