/**
 * Where a CWL task's values come from once nested workflows are flattened into tasks
 * (cwl-flatten.ts): a scope is one instance of a workflow — the top-level one, or a nested one
 * entered by one element of a step that runs a Workflow (`outer[0]`, `outer[0]/mid`). A step's
 * inputs are read from its scope's inputs and its sibling steps' outputs; a nested scope's
 * inputs are its entering step's, as the embedded runner gives them; a step that runs a
 * Workflow outputs what its scopes' workflows output (null where `when` skipped them).
 */
import path from 'node:path'
import {
  collectStepOutputs,
  CwlError,
  enterSubworkflow,
  gatherElements,
  merge,
  readExitCode,
  scatterElements,
  stepSourceValues,
  type Level,
  type Process,
  type Step,
  type ToolJob,
} from '../cwl/index.js'
import { cwlRecords, readRecord, writeRecord, type CwlPlan, type ScopeStep } from './cwl-plan.js'

export type { ScopeStep }

export interface Scope {
  /** '' for the top-level workflow; else `outer[0]/mid`: task names start with it. */
  key: string
  path: ScopeStep[]
  wf: Process
  /** Levels enclosing `wf` (its entering step, that step's workflow...), innermost first. */
  outer: Level[]
}

/** What a task's `.cwl/jobs/<dir>.json` record holds. */
export interface StepRecord {
  dims: number[]
  method: string
  /** Which of the step's elements this task ran (all of them, or one). */
  first: number
  elements: ToolJob[]
  /** The element tasks' folders, when this task fanned out into them (cwl-fanout.ts). */
  fanout?: string[]
}

export interface CwlRun {
  workdir: string
  plan: CwlPlan
  wf: Process
  inputs: Record<string, unknown>
}

export type ScopeInputs = { skipped: true } | { skipped: false; inputs: Record<string, unknown> }

export const scopeKeyOf = (p: ScopeStep[]): string =>
  p.map((s) => (s.element === null ? s.step : `${s.step}[${s.element}]`)).join('/')

/** A step's name within the whole document: `step`, or `outer[0]/step` inside a scope. */
export const qualified = (scope: string, step: string): string =>
  scope === '' ? step : `${scope}/${step}`

export const topScope = (wf: Process): Scope => ({ key: '', path: [], wf, outer: [] })

/** The scope one element of `step` (a Workflow step of `parent`) enters. */
export function childScope(parent: Scope, step: Step, element: number | null): Scope {
  const p = [...parent.path, { step: step.id, element }]
  return { key: scopeKeyOf(p), path: p, wf: step.run, outer: [step, parent.wf, ...parent.outer] }
}

export function resolveScope(wf: Process, p: ScopeStep[] | undefined): Scope {
  let scope = topScope(wf)
  for (const seg of p ?? []) {
    const step = scope.wf.steps.find((s) => s.id === seg.step)
    if (!step || step.run.class !== 'Workflow') {
      throw new CwlError('invalid', `no nested workflow ${qualified(scope.key, seg.step)}`)
    }
    scope = childScope(scope, step, seg.element)
  }
  return scope
}

/** Where a nested scope's input literals are written. */
export const scopeStaging = (workdir: string, key: string): string =>
  path.join(cwlRecords.stage(workdir, '.scopes'), key.replace(/[^A-Za-z0-9_.-]/g, '_'), 'literals')

/**
 * Reads a run's values, each scope's inputs and each step's outputs computed once (a view
 * lives for one dispatch or one output request: upstream tasks do not change under it).
 */
export class CwlView {
  private readonly entries = new Map<string, Promise<ScopeInputs>>()
  private readonly outputs = new Map<string, Promise<Record<string, unknown>>>()

  constructor(readonly run: CwlRun) {}

  scopeInputs(scope: Scope): Promise<ScopeInputs> {
    let known = this.entries.get(scope.key)
    if (!known) {
      known = this.enter(scope)
      this.entries.set(scope.key, known)
    }
    return known
  }

  private async enter(scope: Scope): Promise<ScopeInputs> {
    if (scope.path.length === 0) return { skipped: false, inputs: this.run.inputs }
    const parent = resolveScope(this.run.wf, scope.path.slice(0, -1))
    const seg = scope.path[scope.path.length - 1]!
    const step = parent.wf.steps.find((s) => s.id === seg.step)!
    const raw = await this.sourceValues(parent, step)
    if (raw === undefined) return { skipped: true }
    const { combos } = scatterElements(step, raw)
    const scattered = seg.element === null ? raw : combos[seg.element]
    if (scattered === undefined) {
      throw new CwlError(
        'failed',
        `step ${qualified(parent.key, step.id)} has no element ${seg.element}`,
      )
    }
    const entry = await enterSubworkflow(parent.wf, step, scattered, {
      outer: parent.outer,
      staging: scopeStaging(this.run.workdir, scope.key),
      root: this.run.workdir,
    })
    return entry.skipped ? entry : { skipped: false, inputs: entry.inputs }
  }

  /** A step's inputs before scatter, or undefined when its scope was skipped by `when`. */
  async sourceValues(scope: Scope, step: Step): Promise<Record<string, unknown> | undefined> {
    const entry = await this.scopeInputs(scope)
    if (entry.skipped) return undefined
    const siblings = new Set(scope.wf.steps.map((s) => s.id))
    const upstream = new Map<string, Record<string, unknown>>()
    for (const source of step.in.flatMap((i) => i.source)) {
      const [id] = source.split('/') as [string]
      if (source.includes('/') && siblings.has(id) && !upstream.has(id)) {
        upstream.set(id, await this.stepOutputs(scope, id))
      }
    }
    return stepSourceValues(step, (source) => {
      const slash = source.indexOf('/')
      const id = source.slice(0, slash)
      if (slash > 0 && upstream.has(id)) return upstream.get(id)![source.slice(slash + 1)] ?? null
      return entry.inputs[source] ?? null
    })
  }

  /** A finished step's outputs (its tasks' folders globbed once, kept under `.cwl/outputs`). */
  stepOutputs(scope: Scope, stepId: string): Promise<Record<string, unknown>> {
    const key = qualified(scope.key, stepId)
    let known = this.outputs.get(key)
    if (!known) {
      known = this.collect(scope, stepId)
      this.outputs.set(key, known)
    }
    return known
  }

  private async collect(scope: Scope, stepId: string): Promise<Record<string, unknown>> {
    const step = scope.wf.steps.find((s) => s.id === stepId)
    const key = qualified(scope.key, stepId)
    if (!step) throw new CwlError('invalid', `no step ${key}`)
    if (step.run.class === 'Workflow') return this.subworkflowOutputs(scope, step)
    const dirs = this.run.plan.steps[key]
    if (!dirs) throw new CwlError('invalid', `no tasks for step ${key}`)
    if (dirs.length === 0) {
      // A scatter over an empty array: no task ran, every output is an empty array.
      const { dims, method } = scatterElements(step, (await this.sourceValues(scope, step)) ?? {})
      return gatherElements(step, [], dims, method)
    }
    const results: Array<Record<string, unknown>> = []
    let shape: { dims: number[]; method: string } | undefined
    const record = (dir: string): StepRecord => {
      try {
        return readRecord<StepRecord>(cwlRecords.job(this.run.workdir, dir))
      } catch {
        throw new CwlError('failed', `step ${key} has not run`)
      }
    }
    // A task that fanned out: its elements' tasks hold the outputs.
    const ran = dirs.flatMap((dir) => {
      const r = record(dir)
      shape = r
      return r.fanout ?? [dir]
    })
    for (const dir of ran) {
      const kept = cwlRecords.outputs(this.run.workdir, dir)
      let outs: Array<Record<string, unknown>>
      try {
        outs = readRecord<Array<Record<string, unknown>>>(kept)
      } catch {
        outs = []
        for (const [i, job] of record(dir).elements.entries()) {
          const exit = path.join(cwlRecords.taskFolder(this.run.workdir, dir), String(i), 'exit')
          outs.push(await collectStepOutputs(scope.wf, step, job, readExitCode(exit), scope.outer))
        }
        writeRecord(kept, outs)
      }
      results.push(...outs)
    }
    return gatherElements(step, results, shape!.dims, shape!.method)
  }

  /** A Workflow step's outputs: each of its scopes' workflow outputs, gathered. */
  private async subworkflowOutputs(scope: Scope, step: Step): Promise<Record<string, unknown>> {
    const raw = (await this.sourceValues(scope, step)) ?? {}
    const { combos, dims, method } = scatterElements(step, raw)
    const results: Array<Record<string, unknown>> = []
    const elements = step.scatter.length === 0 ? [null] : combos.map((_, k) => k)
    for (const element of elements) {
      const child = childScope(scope, step, element)
      const entry = await this.scopeInputs(child)
      results.push(
        entry.skipped
          ? Object.fromEntries(step.out.map((o) => [o, null]))
          : await this.workflowOutputs(child),
      )
    }
    return gatherElements(step, results, dims, method)
  }

  /** A scope's workflow outputs, from its steps' outputs and its inputs. */
  async workflowOutputs(scope: Scope): Promise<Record<string, unknown>> {
    const entry = await this.scopeInputs(scope)
    if (entry.skipped) return Object.fromEntries(scope.wf.outputs.map((o) => [o.id, null]))
    const siblings = new Set(scope.wf.steps.map((s) => s.id))
    const lookup = async (source: string): Promise<unknown> => {
      const slash = source.indexOf('/')
      const id = source.slice(0, slash)
      if (slash <= 0 || !siblings.has(id)) return entry.inputs[source] ?? null
      return (await this.stepOutputs(scope, id))[source.slice(slash + 1)] ?? null
    }
    const out: Record<string, unknown> = {}
    for (const o of scope.wf.outputs) {
      const vals = await Promise.all((o.outputSource ?? []).map(lookup))
      out[o.id] = merge(vals, o.outputSourceIsList === true, o.linkMerge, o.pickValue)
    }
    return out
  }
}
