/**
 * One CWL step instance made ready for the workflow engine (src/workflows/cwl-tasks.ts): its
 * inputs merged from their sources, `valueFrom` and `when` evaluated, its command line built —
 * all here, in the server, with JavaScript only in QuickJS — so that the engine's task runs
 * nothing but the tool itself, confined on the site the broker chose. After the task ends,
 * `collectStepOutputs` globs its output folder the way the embedded runner does.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { buildCommandLine, shellQuote } from './command-line.js'
import { findRequirement, type Process, type Requirement, type Step } from './document.js'
import { CwlError } from './errors.js'
import { contentsOf } from './files.js'
import { runExpressionTool } from './expression-tool.js'
import { javascriptEvaluator } from './expressions.js'
import { stageInitialWorkDir } from './initial-work-dir.js'
import { prepareInputs } from './inputs.js'
import { collectOutputs } from './outputs.js'
import { timeLimitOf } from './tool.js'
import { evaluate, type ExpressionContext, type JsEvaluator } from './param-refs.js'
import { isObject } from './types.js'
import { merge } from './workflow.js'

export type Level = { requirements: Requirement[]; hints: Requirement[] }

/** What the engine needs to run one tool instance, and to collect its outputs afterwards. */
export interface ToolJob {
  kind: 'tool' | 'expression' | 'skipped'
  /** The shell command (cd into the output folder, redirections, the tool's words). */
  script: string
  successCodes: number[]
  env: Record<string, string>
  cores: number
  ramMb: number
  timelimitS: number
  image: string | null
  /** The tool's prepared inputs and runtime, kept for output collection. */
  inputs: Record<string, unknown>
  runtime: Record<string, unknown>
  stdout?: string | undefined
  stderr?: string | undefined
  /** An ExpressionTool's outputs, computed here; a skipped step's are null. */
  outputs?: Record<string, unknown>
}

export interface StepJobOptions {
  /** The output folder the tool writes (absolute, as the job sees it). */
  outdir: string
  /** Where InitialWorkDir's files are written by the server; the job copies them in first. */
  stageDir: string
  /** Where input literals go. */
  staging: string
  /** The workflow's folder: no file outside it may reach the job. */
  root: string
  /** Levels enclosing `wf` when it is a nested workflow (its step, its parent...), innermost first. */
  outer?: Level[]
}

/** The JavaScript evaluator a process may use (only with InlineJavascriptRequirement). */
export async function evaluatorFor(
  process: Process,
  ...outer: Level[]
): Promise<JsEvaluator | undefined> {
  const req = findRequirement('InlineJavascriptRequirement', process, ...outer)
  return req ? javascriptEvaluator((req.expressionLib as string[] | undefined) ?? []) : undefined
}

/** The step's inputs before scatter: sources merged, defaults applied. */
export function stepSourceValues(
  step: Step,
  lookup: (source: string) => unknown,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {}
  for (const input of step.in) {
    let v =
      input.source.length > 0
        ? merge(input.source.map(lookup), input.sourceIsList, input.linkMerge, input.pickValue)
        : null
    if ((v === null || v === undefined) && input.default !== undefined) v = input.default
    raw[input.id] = input.loadContents ? contentsOf(v ?? null) : (v ?? null)
  }
  return raw
}

/** The job of one step instance (one scatter element, or the whole step when not scattered). */
export async function buildStepJob(
  wf: Process,
  step: Step,
  scattered: Record<string, unknown>,
  options: StepJobOptions,
): Promise<ToolJob> {
  const enclosing = options.outer ?? []
  const { given, go } = await stepEntry(wf, step, scattered, enclosing)
  const none = { script: 'true', successCodes: [0], env: {}, cores: 1, ramMb: 256 }
  const base = { ...none, timelimitS: 0, image: null, inputs: given, runtime: {} }
  if (!go) {
    return {
      ...base,
      kind: 'skipped',
      outputs: Object.fromEntries(step.out.map((o) => [o, null])),
    }
  }
  const tool = step.run
  const outer: Level[] = [step, wf, ...enclosing]
  const js = await evaluatorFor(tool, ...outer)
  const declared = new Set(tool.inputs.map((i) => i.id))
  const inputs = prepareInputs(
    tool,
    Object.fromEntries(Object.entries(given).filter(([k]) => declared.has(k))),
    { baseDir: wf.baseDir, staging: options.staging, outer, js, discoverSecondary: false },
  )
  assertFilesWithin(inputs, options.root)
  if (tool.class === 'ExpressionTool') {
    const out = runExpressionTool(tool, inputs, js, options.staging)
    return { ...base, kind: 'expression', inputs, outputs: out }
  }
  if (tool.class !== 'CommandLineTool') {
    throw new CwlError(
      'unsupported',
      `step ${step.id}: ${tool.class} steps do not run on the engine`,
    )
  }
  return toolJob(tool, inputs, outer, js, options)
}

async function toolJob(
  tool: Process,
  inputs: Record<string, unknown>,
  outer: Level[],
  js: JsEvaluator | undefined,
  options: StepJobOptions,
): Promise<ToolJob> {
  const levels = [tool, ...outer]
  const resources = findRequirement('ResourceRequirement', ...levels)
  const amount = (field: string): number | undefined => {
    const v = evaluate(resources?.[field], { inputs, self: null, runtime: {} }, js)
    return typeof v === 'number' ? Math.ceil(v) : undefined
  }
  const runtime: Record<string, unknown> = {
    outdir: options.outdir,
    tmpdir: '/tmp',
    cores: amount('coresMin') ?? amount('coresMax') ?? 1,
    ram: amount('ramMin') ?? amount('ramMax') ?? 1024,
    outdirSize: amount('outdirMin') ?? amount('outdirMax') ?? 1024,
    tmpdirSize: amount('tmpdirMin') ?? amount('tmpdirMax') ?? 1024,
  }
  const context: ExpressionContext = { inputs, self: null, runtime }
  mkdirSync(options.stageDir, { recursive: true })
  stageInitialWorkDir(findRequirement('InitialWorkDirRequirement', ...levels), {
    outdir: options.stageDir,
    baseDir: tool.baseDir,
    context,
    js,
    confineTo: options.root,
  })
  // Staged files are seen in the output folder, where the job copies them before it starts.
  context.inputs = JSON.parse(
    JSON.stringify(context.inputs).split(options.stageDir).join(options.outdir),
  ) as Record<string, unknown>
  const env: Record<string, string> = { HOME: options.outdir, TMPDIR: '/tmp' }
  const defs = findRequirement('EnvVarRequirement', ...levels)?.envDef
  const envList = Array.isArray(defs)
    ? (defs as Array<{ envName: string; envValue: string }>)
    : isObject(defs)
      ? Object.entries(defs).map(([envName, envValue]) => ({ envName, envValue: String(envValue) }))
      : []
  for (const d of envList) env[d.envName] = String(evaluate(d.envValue, context, js))
  const words = buildCommandLine(tool.raw, tool.inputs, context, js)
  if (words.length === 0) throw new CwlError('invalid', 'the tool has no command')
  const shell = findRequirement('ShellCommandRequirement', ...levels) !== undefined
  const command = shell
    ? words.map((w) => (w.quote ? shellQuote(w.text) : w.text)).join(' ')
    : words.map((w) => shellQuote(w.text)).join(' ')
  const stream = (field: 'stdout' | 'stderr'): string | undefined => {
    const named = tool.raw[field]
    if (named !== undefined) return String(evaluate(named, context, js))
    return tool.outputs.some((o) => o.type === field) ? `${field}.cwl-stream` : undefined
  }
  const stdout = stream('stdout')
  const stderr = stream('stderr')
  const stdin =
    tool.raw.stdin === undefined ? undefined : String(evaluate(tool.raw.stdin, context, js))
  const redirect = [
    stdin === undefined ? '< /dev/null' : `< ${shellQuote(stdin)}`,
    stdout === undefined ? '' : `> ${shellQuote(stdout)}`,
    stderr === undefined ? '' : `2> ${shellQuote(stderr)}`,
  ].join(' ')
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ')
  const out = shellQuote(options.outdir)
  const script = [
    `mkdir -p ${out}`,
    `cp -R ${shellQuote(options.stageDir)}/. ${out}/`,
    `cd ${out}`,
    // A subshell: the tool's own `exit`, `cd` or variables stay inside it.
    `(export ${exports}; ${command}) ${redirect}`,
  ].join(' && ')
  const docker = findRequirement('DockerRequirement', ...levels)
  const limit = findRequirement('ToolTimeLimit', ...levels)
  return {
    kind: 'tool',
    script,
    successCodes: (tool.raw.successCodes as number[] | undefined) ?? [0],
    env,
    cores: Number(runtime.cores),
    ramMb: Number(runtime.ram),
    timelimitS: timeLimitOf(limit, context, js),
    image: typeof docker?.dockerPull === 'string' ? docker.dockerPull : null,
    inputs: context.inputs,
    runtime,
    stdout,
    stderr,
  }
}

/** Refuses a value holding a File or Directory outside `root` (a default naming `/etc/…`). */
export function assertFilesWithin(value: unknown, root: string): void {
  if (Array.isArray(value)) return value.forEach((v) => assertFilesWithin(v, root))
  if (!isObject(value)) return
  if ((value.class === 'File' || value.class === 'Directory') && typeof value.path === 'string') {
    const rel = path.relative(root, value.path)
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new CwlError('invalid', `${value.class} ${value.path} is outside the workflow's folder`)
    }
  }
  Object.values(value).forEach((v) => assertFilesWithin(v, root))
}

/** A finished instance's outputs: its ExpressionTool or skip values, or its folder globbed. */
export async function collectStepOutputs(
  wf: Process,
  step: Step,
  job: ToolJob,
  exitCode: number,
  enclosing: Level[] = [],
): Promise<Record<string, unknown>> {
  if (job.outputs) return job.outputs
  const outer: Level[] = [step, wf, ...enclosing]
  const js = await evaluatorFor(step.run, ...outer)
  const outdir = String(job.runtime.outdir)
  return collectOutputs(
    step.run,
    outdir,
    { inputs: job.inputs, self: null, runtime: { ...job.runtime, exitCode } },
    js,
    { stdout: job.stdout, stderr: job.stderr },
  )
}

/** The exit code a finished instance's script wrote beside its output folder. */
export function readExitCode(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0
  } catch {
    return 0
  }
}

/**
 * What a step gives the process it runs: its sources with each `valueFrom` evaluated (against
 * the sources, in the enclosing workflow's expression context), and whether its `when` lets it
 * run (true without one).
 */
export async function stepEntry(
  wf: Process,
  step: Step,
  scattered: Record<string, unknown>,
  enclosing: Level[],
): Promise<{ given: Record<string, unknown>; go: boolean }> {
  const wfJs = await evaluatorFor(wf, ...enclosing)
  const given: Record<string, unknown> = { ...scattered }
  for (const input of step.in) {
    if (input.valueFrom === undefined) continue
    given[input.id] = evaluate(
      input.valueFrom,
      { inputs: scattered, self: scattered[input.id] ?? null, runtime: {} },
      wfJs,
    )
  }
  if (step.when === undefined) return { given, go: true }
  const go = evaluate(step.when, { inputs: given, self: null, runtime: {} }, wfJs)
  if (typeof go !== 'boolean') {
    throw new CwlError('failed', `step ${step.id}: 'when' gave ${JSON.stringify(go)}`)
  }
  return { given, go }
}
