/**
 * CWL's JavaScript expressions (InlineJavascriptRequirement: `$(…)`, `${…}`, expressionLib),
 * evaluated in QuickJS compiled to WebAssembly — an interpreter with its own heap, not this
 * process's JavaScript: no `eval`, `Function` or `node:vm`, which are no security boundary. Each
 * evaluation gets a fresh context with `inputs`, `self` and `runtime` as plain JSON, a memory
 * limit and a deadline; what it returns comes back as JSON.
 */
import {
  getQuickJS,
  shouldInterruptAfterDeadline,
  type QuickJSWASMModule,
} from 'quickjs-emscripten'
import { CwlError } from './errors.js'
import type { ExpressionContext, JsEvaluator } from './param-refs.js'
import { text } from './types.js'

export interface ExpressionLimits {
  /** Heap of one evaluation (default 64 MiB). */
  memoryBytes?: number
  /** Longest one evaluation may run (default 5 s). */
  timeoutMs?: number
}

let engine: Promise<QuickJSWASMModule> | undefined

/** An evaluator for a process whose requirement gives `expressionLib`. */
export async function javascriptEvaluator(
  expressionLib: readonly string[],
  limits: ExpressionLimits = {},
): Promise<JsEvaluator> {
  engine ??= getQuickJS()
  const quickjs = await engine
  const lib = expressionLib.join('\n')
  return (code: string, context: ExpressionContext, block: boolean): unknown => {
    const runtime = quickjs.newRuntime()
    runtime.setMemoryLimit(limits.memoryBytes ?? 64 * 1024 * 1024)
    runtime.setMaxStackSize(1024 * 1024)
    runtime.setInterruptHandler(
      shouldInterruptAfterDeadline(Date.now() + (limits.timeoutMs ?? 5000)),
    )
    const vm = runtime.newContext()
    try {
      const source = [
        `var inputs = ${JSON.stringify(context.inputs)};`,
        `var self = ${JSON.stringify(context.self ?? null)};`,
        `var runtime = ${JSON.stringify(context.runtime)};`,
        lib,
        `JSON.stringify((function(){ ${block ? code : `return (${code});`} })())`,
      ].join('\n')
      const result = vm.evalCode(source, 'expression.js')
      if (result.error) {
        const err: unknown = vm.dump(result.error)
        result.error.dispose()
        const message =
          typeof err === 'object' && err !== null
            ? text((err as { message?: unknown }).message) || JSON.stringify(err)
            : String(err)
        throw new CwlError(
          'failed',
          `expression failed: ${message} in ${block ? '${' : '$('}${code.slice(0, 200)}${block ? '}' : ')'}`,
        )
      }
      const json: unknown = vm.dump(result.value)
      result.value.dispose()
      return typeof json === 'string' ? (JSON.parse(json) as unknown) : null
    } finally {
      vm.dispose()
      runtime.dispose()
    }
  }
}
