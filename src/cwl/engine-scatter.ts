/**
 * Scatter for the engine: the elements a scattering step runs (by every method) and their
 * outputs gathered back into arrays — nested for `nested_crossproduct` — the way the embedded
 * runner gathers them (workflow.ts).
 */
import type { Step } from './document.js'
import { CwlError } from './errors.js'

export interface ScatterElements {
  combos: Array<Record<string, unknown>>
  /** Lengths of the scattered inputs (for nesting). */
  dims: number[]
  method: string
}

export function scatterElements(step: Step, raw: Record<string, unknown>): ScatterElements {
  if (step.scatter.length === 0) return { combos: [raw], dims: [], method: 'none' }
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
  const dims = lists.map((l) => l.length)
  if (method === 'dotproduct' || step.scatter.length === 1) {
    const n = dims[0] ?? 0
    if (dims.some((d) => d !== n)) {
      throw new CwlError('failed', `step ${step.id}: dotproduct over arrays of different lengths`)
    }
    return {
      combos: Array.from({ length: n }, (_, i) => withValues(lists.map((l) => l[i]))),
      dims: [n],
      method: 'dotproduct',
    }
  }
  if (method !== 'nested_crossproduct' && method !== 'flat_crossproduct') {
    throw new CwlError('invalid', `unknown scatterMethod ${method}`)
  }
  const combos = lists.reduce<unknown[][]>(
    (acc, list) => acc.flatMap((c) => list.map((v) => [...c, v])),
    [[]],
  )
  return { combos: combos.map(withValues), dims, method }
}

/** The elements' outputs as the step's: arrays, nested one level per input when asked. */
export function gatherElements(
  step: Step,
  results: Array<Record<string, unknown>>,
  dims: number[],
  method: string,
): Record<string, unknown> {
  if (method === 'none') return results[0] ?? {}
  const nest = (flat: unknown[], d: number[]): unknown[] => {
    if (method !== 'nested_crossproduct' || d.length <= 1) return flat
    const size = d[0] === 0 ? 0 : flat.length / d[0]!
    return Array.from({ length: d[0]! }, (_, i) =>
      nest(flat.slice(i * size, (i + 1) * size), d.slice(1)),
    )
  }
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
