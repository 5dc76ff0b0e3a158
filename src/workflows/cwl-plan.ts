/**
 * A CWL document as engine tasks (issue 19): each step of the top-level Workflow becomes one
 * task — or one per element when it scatters over the workflow's own inputs, whose lengths are
 * known at submission — needing the tasks of the steps its sources name. A CommandLineTool or
 * ExpressionTool submitted alone is a workflow of one step. Commands are not built here: a
 * step's inputs may be outputs of upstream steps, known only once those ran, so the engine
 * builds each task's command as it dispatches it (cwl-tasks.ts). What both moments share is
 * kept in the workflow's folder under `.cwl/`: the plan and the prepared inputs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  CwlError,
  scatterElements,
  stepSourceValues,
  type Process,
  type Step,
} from '../cwl/index.js'

/** What a CWL task's spec carries besides the engine's fields. */
export interface CwlTaskRef {
  step: string
  /** The scatter element this task runs; null: the whole step (every element, if it scatters). */
  element: number | null
  /** Its folder name under `cwl/` (outputs) and `.cwl/` (the server's records). */
  dir: string
}

export interface CwlPlan {
  /** The document, relative to the workflow's folder, with its `#fragment` if any. */
  document: string
  /** A lone tool, run as a workflow of one step. */
  wrapped: boolean
  /** Each step's task directories, in element order. */
  steps: Record<string, string[]>
}

export interface PlannedCwlTask {
  name: string
  step: string
  element: number | null
  dir: string
  needs: string[]
}

/** Requirements a step may carry through the engine; another one refuses the submission. */
export const engineRequirements = new Set([
  'InlineJavascriptRequirement',
  'SchemaDefRequirement',
  'InitialWorkDirRequirement',
  'EnvVarRequirement',
  'ShellCommandRequirement',
  'ResourceRequirement',
  'ScatterFeatureRequirement',
  'MultipleInputFeatureRequirement',
  'StepInputExpressionRequirement',
  'LoadListingRequirement',
  'ToolTimeLimit',
  'WorkReuse',
  'NetworkAccess',
  'DockerRequirement',
])

/** A lone tool seen as a workflow of one step named after it. */
export function asWorkflow(process: Process): Process {
  if (process.class === 'Workflow') return process
  const name = 'run'
  const step: Step = {
    id: name,
    in: process.inputs.map((i) => ({ id: i.id, source: [i.id], sourceIsList: false })),
    out: process.outputs.map((o) => o.id),
    run: process,
    scatter: [],
    requirements: [],
    hints: [],
  }
  return {
    ...process,
    class: 'Workflow',
    requirements: [],
    hints: [],
    outputs: process.outputs.map((o) => ({
      id: o.id,
      type: o.type,
      outputSource: [`${name}/${o.id}`],
    })),
    steps: [step],
  }
}

/** Why this workflow cannot run on the engine, or undefined. */
export function engineRefusal(wf: Process): string | undefined {
  const unsupported = (p: { requirements: Array<{ class: string }> }) =>
    p.requirements
      .map((r) => r.class.replace(/^.*[#/]/, ''))
      .find((c) => !engineRequirements.has(c))
  const top = unsupported(wf)
  if (top) return `requirement ${top} is not supported on the engine`
  for (const step of wf.steps) {
    if (step.run.class !== 'CommandLineTool' && step.run.class !== 'ExpressionTool') {
      return `step ${step.id} runs a ${step.run.class}: nested workflows run with 'continuum cwl-runner' only, not yet on the engine`
    }
    const req = unsupported(step) ?? unsupported(step.run)
    if (req) return `step ${step.id}: requirement ${req} is not supported on the engine`
  }
  return undefined
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'step'

/**
 * The tasks: one per step, or one per element of a scatter over the workflow's inputs. A scatter
 * over upstream outputs is one task that runs every element (their number is not known yet).
 */
export function planCwlTasks(
  wf: Process,
  inputs: Record<string, unknown>,
): { tasks: PlannedCwlTask[]; steps: Record<string, string[]> } {
  const byStep = new Map<string, PlannedCwlTask[]>()
  const tasks: PlannedCwlTask[] = []
  const stepIds = new Set(wf.steps.map((s) => s.id))
  const upstreamOf = (step: Step) =>
    new Set(
      step.in
        .flatMap((i) => i.source)
        .map((s) => s.split('/')[0] as string)
        .filter((s, _, all) => stepIds.has(s) && all.length > 0),
    )
  // Steps in an order where every step comes after the ones it reads.
  const order: Step[] = []
  const pending = [...wf.steps]
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
  for (const step of order) {
    const needs = [...upstreamOf(step)].flatMap((u) => (byStep.get(u) ?? []).map((t) => t.name))
    const fromInputs = step.scatter.every((n) => {
      const input = step.in.find((i) => i.id === n)
      return (
        input !== undefined && input.source.every((s) => !stepIds.has(s.split('/')[0] as string))
      )
    })
    const mine: PlannedCwlTask[] = []
    if (step.scatter.length > 0 && fromInputs) {
      const raw = stepSourceValues(step, (s) => inputs[s] ?? null)
      const count = scatterElements(step, raw).combos.length
      for (let k = 0; k < count; k++) {
        mine.push({
          name: `${step.id}[${k}]`,
          step: step.id,
          element: k,
          dir: `${safe(step.id)}-${k}`,
          needs,
        })
      }
    } else {
      mine.push({ name: step.id, step: step.id, element: null, dir: safe(step.id), needs })
    }
    byStep.set(step.id, mine)
    tasks.push(...mine)
  }
  return {
    tasks,
    steps: Object.fromEntries([...byStep].map(([id, list]) => [id, list.map((t) => t.dir)])),
  }
}

/** The server's records of a CWL workflow, under `.cwl/` in its folder. */
export const cwlRecords = {
  plan: (workdir: string) => path.join(workdir, '.cwl', 'plan.json'),
  inputs: (workdir: string) => path.join(workdir, '.cwl', 'inputs.json'),
  literals: (workdir: string) => path.join(workdir, '.cwl', 'literals'),
  stage: (workdir: string, dir: string) => path.join(workdir, '.cwl', 'stage', dir),
  job: (workdir: string, dir: string) => path.join(workdir, '.cwl', 'jobs', `${dir}.json`),
  outputs: (workdir: string, dir: string) => path.join(workdir, '.cwl', 'outputs', `${dir}.json`),
  /** The task's own folder (what it makes): `cwl/<dir>/<element>/out` and `…/exit`. */
  taskFolder: (workdir: string, dir: string) => path.join(workdir, 'cwl', dir),
}

export function writeRecord(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(value))
}

export function readRecord<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}
