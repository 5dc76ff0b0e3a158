/**
 * A CWL document as engine tasks (issue 19): each tool step becomes one task — or one per
 * element when it scatters over values known at submission — needing the tasks of the steps
 * its sources name; nested workflows are flattened into their tools' tasks (cwl-flatten.ts). A
 * CommandLineTool or ExpressionTool submitted alone is a workflow of one step. Commands are not built here: a
 * step's inputs may be outputs of upstream steps, known only once those ran, so the engine
 * builds each task's command as it dispatches it (cwl-tasks.ts). What both moments share is
 * kept in the workflow's folder under `.cwl/`: the plan and the prepared inputs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Process, Step } from '../cwl/index.js'

/** What a CWL task's spec carries besides the engine's fields. */
export interface CwlTaskRef {
  step: string
  /** The scatter element this task runs; null: the whole step (every element, if it scatters). */
  element: number | null
  /** Its folder name under `cwl/` (outputs) and `.cwl/` (the server's records). */
  dir: string
  /** The nested workflow it belongs to (cwl-scopes.ts); absent: the top-level one. */
  scope?: ScopeStep[]
  /** Set at dispatch when its results may be reused (cwl-reuse.ts): the engine's cache key. */
  reuseKey?: string
  /** Set at dispatch when it fanned out into this many element tasks (cwl-fanout.ts). */
  fanout?: number
}

/** One level of nesting: the step that enters a workflow, and which of its elements. */
export interface ScopeStep {
  step: string
  element: number | null
}

export interface CwlPlan {
  /** The document, relative to the workflow's folder, with its `#fragment` if any. */
  document: string
  /** A lone tool, run as a workflow of one step. */
  wrapped: boolean
  /** Each step's task directories, in element order, by qualified name (`outer[0]/inner`). */
  steps: Record<string, string[]>
}

export interface PlannedCwlTask {
  name: string
  step: string
  element: number | null
  dir: string
  needs: string[]
  scope: ScopeStep[]
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
  'SubworkflowFeatureRequirement',
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

/** Why this workflow (and the workflows its steps run, at any depth) cannot run on the engine. */
export function engineRefusal(wf: Process, prefix = ''): string | undefined {
  const unsupported = (p: { requirements: Array<{ class: string }> }) =>
    p.requirements
      .map((r) => r.class.replace(/^.*[#/]/, ''))
      .find((c) => !engineRequirements.has(c))
  const top = prefix === '' ? unsupported(wf) : undefined
  if (top) return `requirement ${top} is not supported on the engine`
  for (const step of wf.steps) {
    const name = `${prefix}${step.id}`
    if (!['CommandLineTool', 'ExpressionTool', 'Workflow'].includes(step.run.class)) {
      return `step ${name} runs a ${step.run.class}, which does not run on the engine`
    }
    const req = unsupported(step) ?? unsupported(step.run)
    if (req) return `step ${name}: requirement ${req} is not supported on the engine`
    if (step.run.class === 'Workflow') {
      const inner = engineRefusal(step.run, `${name}/`)
      if (inner) return inner
    }
  }
  return undefined
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
