/**
 * Running a CWL Workflow: steps run as soon as their sources are known (independent steps
 * together), step inputs merged (MultipleInputFeatureRequirement's linkMerge, pickValue),
 * defaulted and transformed (`valueFrom`), steps skipped by `when`, and scattered over their
 * inputs by every scatter method; the workflow's outputs gathered from their sources.
 */
import type { Process, Step } from './document.js'
import { CwlError } from './errors.js'
import { contentsOf } from './files.js'
import { evaluate, type JsEvaluator } from './param-refs.js'
import type { RunOptions } from './tool.js'
import { isOptional, matches } from './types.js'

/** Runs one process (any class) on prepared or raw inputs: given by the caller (runner.ts). */
export type ProcessRunner = (
  process: Process,
  inputs: Record<string, unknown>,
  options: RunOptions & { inputBase: string },
) => Promise<Record<string, unknown>>

export async function runWorkflow(
  wf: Process,
  inputs: Record<string, unknown>,
  options: RunOptions,
  runProcess: ProcessRunner,
): Promise<Record<string, unknown>> {
  const values = new Map<string, unknown>(Object.entries(inputs))
  const pending = new Set(wf.steps)
  const known = (source: string) => values.has(source)
  while (pending.size > 0) {
    const ready = [...pending].filter((s) => s.in.every((i) => i.source.every(known)))
    if (ready.length === 0) {
      const names = [...pending].map((s) => s.id).join(', ')
      throw new CwlError('invalid', `steps ${names} wait on sources nothing produces`)
    }
    for (const s of ready) pending.delete(s)
    await Promise.all(
      ready.map(async (step) => {
        const out = await runStep(wf, step, values, options, runProcess)
        for (const id of step.out) values.set(`${step.id}/${id}`, out[id] ?? null)
      }),
    )
  }
  const result: Record<string, unknown> = {}
  for (const output of wf.outputs) {
    const sources = output.outputSource ?? []
    const listed = output.outputSourceIsList === true
    const value = merge(
      sources.map((s) => values.get(s) ?? null),
      listed,
      output.linkMerge,
      output.pickValue,
    )
    if (!matches(output.type, value) && !(value === null && isOptional(output.type))) {
      throw new CwlError(
        'failed',
        `workflow output '${output.id}' is ${JSON.stringify(value)?.slice(0, 200)}, not of its declared type`,
      )
    }
    result[output.id] = value
  }
  return result
}

/** Several sources as one value: nested (default) or flattened, then picked. */
export function merge(
  vals: unknown[],
  listed: boolean,
  linkMerge: string | undefined,
  pickValue: string | undefined,
): unknown {
  // One source, even written as a one-item list, is not wrapped unless linkMerge asks for it.
  const single = vals.length === 1 && (!listed || linkMerge === undefined)
  let v: unknown = single ? vals[0] : vals
  if (!single) {
    v =
      linkMerge === 'merge_flattened'
        ? vals.flatMap((x): unknown[] => (Array.isArray(x) ? (x as unknown[]) : [x]))
        : vals
  }
  if (pickValue && Array.isArray(v)) {
    const present = v.filter((x) => x !== null && x !== undefined)
    if (pickValue === 'first_non_null') {
      if (present.length === 0) {
        throw new CwlError('failed', 'pickValue first_non_null: all values are null')
      }
      return present[0]
    }
    if (pickValue === 'the_only_non_null') {
      if (present.length !== 1) {
        throw new CwlError(
          'failed',
          `pickValue the_only_non_null: ${present.length} non-null values`,
        )
      }
      return present[0]
    }
    if (pickValue === 'all_non_null') return present
  }
  return v
}

async function runStep(
  wf: Process,
  step: Step,
  values: Map<string, unknown>,
  options: RunOptions,
  runProcess: ProcessRunner,
): Promise<Record<string, unknown>> {
  const outer = [step, wf, ...options.outer]
  const raw: Record<string, unknown> = {}
  for (const input of step.in) {
    let v =
      input.source.length > 0
        ? merge(
            input.source.map((s) => values.get(s) ?? null),
            input.sourceIsList,
            input.linkMerge,
            input.pickValue,
          )
        : null
    if ((v === null || v === undefined) && input.default !== undefined) v = input.default
    raw[input.id] = input.loadContents ? contentsOf(v ?? null) : (v ?? null)
  }
  const job = (scattered: Record<string, unknown>) => {
    const given: Record<string, unknown> = { ...scattered }
    for (const input of step.in) {
      if (input.valueFrom !== undefined) {
        given[input.id] = evaluate(
          input.valueFrom,
          { inputs: scattered, self: scattered[input.id] ?? null, runtime: {} },
          options.js,
        )
      }
    }
    return given
  }
  const runOne = async (scattered: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const given = job(scattered)
    if (step.when !== undefined) {
      const go = evaluate(step.when, { inputs: given, self: null, runtime: {} }, options.js)
      if (typeof go !== 'boolean') {
        throw new CwlError(
          'failed',
          `step ${step.id}: 'when' gave ${JSON.stringify(go)}, not a boolean`,
        )
      }
      if (!go) return Object.fromEntries(step.out.map((o) => [o, null]))
    }
    const declared = new Set(step.run.inputs.map((i) => i.id))
    const passed = Object.fromEntries(Object.entries(given).filter(([k]) => declared.has(k)))
    return runProcess(step.run, passed, { ...options, outer, inputBase: wf.baseDir })
  }
  if (step.scatter.length === 0) return runOne(raw)
  return scatter(step, raw, runOne, options.js)
}

async function scatter(
  step: Step,
  raw: Record<string, unknown>,
  runOne: (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>,
  _js: JsEvaluator | undefined,
): Promise<Record<string, unknown>> {
  for (const name of step.scatter) {
    if (!Array.isArray(raw[name])) {
      throw new CwlError('failed', `step ${step.id}: scatter input '${name}' is not an array`)
    }
  }
  const lists = step.scatter.map((n) => raw[n] as unknown[])
  const method = step.scatterMethod ?? 'dotproduct'
  const withValues = (vals: unknown[]) => ({
    ...raw,
    ...Object.fromEntries(step.scatter.map((n, i) => [n, vals[i]])),
  })
  const gather = (results: Array<Record<string, unknown>>) =>
    Object.fromEntries(step.out.map((o) => [o, results.map((r) => r[o] ?? null)]))
  if (method === 'dotproduct' || step.scatter.length === 1) {
    const n = lists[0]!.length
    if (lists.some((l) => l.length !== n)) {
      throw new CwlError('failed', `step ${step.id}: dotproduct over arrays of different lengths`)
    }
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => runOne(withValues(lists.map((l) => l[i])))),
    )
    return gather(results)
  }
  const combos: unknown[][] = lists.reduce<unknown[][]>(
    (acc, list) => acc.flatMap((c) => list.map((v) => [...c, v])),
    [[]],
  )
  const results = await Promise.all(combos.map((c) => runOne(withValues(c))))
  if (method === 'flat_crossproduct') return gather(results)
  if (method !== 'nested_crossproduct') {
    throw new CwlError('invalid', `unknown scatterMethod ${method}`)
  }
  // Nested: one level of arrays per scattered input.
  const nest = (flat: unknown[], dims: number[]): unknown[] => {
    if (dims.length <= 1) return flat
    const size = flat.length / dims[0]!
    return Array.from({ length: dims[0]! }, (_, i) =>
      nest(flat.slice(i * size, (i + 1) * size), dims.slice(1)),
    )
  }
  const dims = lists.map((l) => l.length)
  return Object.fromEntries(
    step.out.map((o) => [
      o,
      nest(
        results.map((r) => r[o] ?? null),
        dims,
      ),
    ]),
  )
}
