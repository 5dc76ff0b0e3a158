/**
 * A CWL workflow flattened into engine tasks at submission (issue 19). Each tool step of each
 * scope (cwl-scopes.ts) becomes one task, or one per element when it scatters over values known
 * now; a step that runs a Workflow becomes the tasks of its inner steps, once per element when
 * it scatters (`outer[0]/inner`), each placed and confined like any task. A task needs the
 * tasks of the sibling steps it reads, or — reading none — those its scope's entering step
 * needs; a step reading a nested workflow's outputs needs every task inside it. A Workflow step
 * scattering over values not known at submission (outputs of upstream steps) is refused:
 * its number of scopes, hence of tasks, would be known only as the workflow runs.
 */
import {
  CwlError,
  enterSubworkflow,
  scatterElements,
  stepSourceValues,
  type Process,
  type Step,
} from '../cwl/index.js'
import type { PlannedCwlTask } from './cwl-plan.js'
import { childScope, qualified, scopeStaging, topScope, type Scope } from './cwl-scopes.js'

/** A scope's inputs when known at submission; 'skipped' when `when` skipped it. */
type Known = Record<string, unknown> | 'skipped' | undefined

export interface FlatPlan {
  tasks: PlannedCwlTask[]
  /** Each tool step's task folders, in element order, by qualified name. */
  steps: Record<string, string[]>
}

export async function planCwlTasks(
  wf: Process,
  inputs: Record<string, unknown>,
  workdir: string,
): Promise<FlatPlan> {
  const tasks: PlannedCwlTask[] = []
  const steps: Record<string, string[]> = {}
  const dirs = new Set<string>()
  const dirFor = (name: string): string => {
    const base =
      name
        .replace(/\[(\d+)\]/g, '-$1')
        .replace(/\//g, '.')
        .replace(/[^A-Za-z0-9_.-]/g, '_')
        .slice(0, 100) || 'step'
    let dir = base
    for (let n = 2; dirs.has(dir) || dir === '.scopes'; n++) dir = `${base}~${n}`
    dirs.add(dir)
    return dir
  }

  /** Plans a scope's steps; returns the names of every task in it. */
  const plan = async (scope: Scope, known: Known, entry: string[]): Promise<string[]> => {
    // Nothing of a scope `when` skipped runs: its entering step outputs nulls (cwl-scopes.ts).
    if (known === 'skipped') return []
    const ids = new Set(scope.wf.steps.map((s) => s.id))
    const upstreamOf = (step: Step) =>
      new Set(
        step.in
          .flatMap((i) => i.source)
          .filter((s) => s.includes('/'))
          .map((s) => s.split('/')[0] as string)
          .filter((s) => ids.has(s)),
      )
    const fromScopeInputs = (step: Step, names: string[]) =>
      names.every((n) => {
        const input = step.in.find((i) => i.id === n)
        return input !== undefined && input.source.every((s) => !readsStep(s, ids))
      })
    const byStep = new Map<string, string[]>()
    const planned: string[] = []
    for (const step of inOrder(scope.wf.steps, upstreamOf)) {
      const upstream = [...upstreamOf(step)].flatMap((u) => byStep.get(u) ?? [])
      const needs = upstream.length > 0 ? [...new Set(upstream)] : entry
      const name = qualified(scope.key, step.id)
      // The step's inputs, when its scope's are known and it reads no sibling step.
      const all = step.in.map((i) => i.id)
      const raw =
        known !== undefined && fromScopeInputs(step, all)
          ? stepSourceValues(step, (s) => known[s] ?? null)
          : undefined
      const scatterKnown =
        step.scatter.length > 0 && known !== undefined && fromScopeInputs(step, step.scatter)
      const count = scatterKnown
        ? scatterElements(
            step,
            stepSourceValues(step, (s) => known[s] ?? null),
          ).combos.length
        : undefined
      const mine: string[] = []
      if (step.run.class === 'Workflow') {
        if (step.scatter.length > 0 && count === undefined) {
          throw new CwlError(
            'unsupported',
            `step ${name} scatters a nested workflow over values known only once upstream steps ran (their outputs), which the engine cannot flatten at submission; run it with 'continuum cwl-runner'`,
          )
        }
        const elements = count === undefined ? [null] : Array.from({ length: count }, (_, k) => k)
        for (const element of elements) {
          const child = childScope(scope, step, element)
          let childKnown: Known
          if (raw !== undefined) {
            const scattered = element === null ? raw : scatterElements(step, raw).combos[element]!
            const e = await enterSubworkflow(scope.wf, step, scattered, {
              outer: scope.outer,
              staging: scopeStaging(workdir, child.key),
              root: workdir,
            })
            childKnown = e.skipped ? 'skipped' : e.inputs
          }
          mine.push(...(await plan(child, childKnown, needs)))
        }
      } else {
        const elements = count === undefined ? [null] : Array.from({ length: count }, (_, k) => k)
        for (const element of elements) {
          const taskName = element === null ? name : `${name}[${element}]`
          tasks.push({
            name: taskName,
            step: step.id,
            element,
            dir: dirFor(taskName),
            needs,
            scope: scope.path,
          })
          mine.push(taskName)
        }
        steps[name] = tasks.slice(tasks.length - mine.length).map((t) => t.dir)
      }
      byStep.set(step.id, mine)
      planned.push(...mine)
    }
    return planned
  }
  await plan(topScope(wf), inputs, [])
  return { tasks, steps }
}

const readsStep = (source: string, ids: Set<string>): boolean =>
  source.includes('/') && ids.has(source.split('/')[0] as string)

/** Steps in an order where every step comes after the ones it reads. */
function inOrder(all: Step[], upstreamOf: (s: Step) => Set<string>): Step[] {
  const order: Step[] = []
  const pending = [...all]
  while (pending.length > 0) {
    const i = pending.findIndex((s) =>
      [...upstreamOf(s)].every((u) => order.some((o) => o.id === u)),
    )
    if (i < 0) {
      throw new CwlError(
        'invalid',
        `steps ${pending.map((s) => s.id).join(', ')} wait on sources nothing produces`,
      )
    }
    order.push(...pending.splice(i, 1))
  }
  return order
}
