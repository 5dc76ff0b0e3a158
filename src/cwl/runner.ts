/**
 * The embedded CWL runner: loads a process and its input object, runs it here (tools as local
 * processes, each in an output folder of its own under a work folder), and moves the final
 * outputs into `outdir`. What `continuum cwl-runner` runs; the runner protocol's exit codes
 * come from CwlError's kind.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findRequirement, loadProcess, readDocument, type Process } from './document.js'
import { javascriptEvaluator } from './expressions.js'
import { jobRequirements, withRequirements } from './job-requirements.js'
import { CwlError } from './errors.js'
import { describeOutput, isFileLike } from './files.js'
import { runExpressionTool } from './expression-tool.js'
import { prepareInputs } from './inputs.js'
import type { JsEvaluator } from './param-refs.js'
import { runCommandLineTool, type RunOptions } from './tool.js'
import { isObject, text } from './types.js'
import { runWorkflow } from './workflow.js'

export interface CwlRunOptions {
  /** Where the final outputs go. */
  outdir: string
  /** Where intermediate folders go (default: a temporary folder, removed afterwards). */
  workRoot?: string
  js?: JsEvaluator | undefined
}

/** Runs `toolRef` (path[#id]) on the input object at `jobPath` (or none). */
export async function runCwl(
  toolRef: string,
  jobPath: string | undefined,
  options: CwlRunOptions,
): Promise<Record<string, unknown>> {
  const job = jobPath === undefined ? {} : readDocument(path.resolve(jobPath))
  if (!isObject(job)) throw new CwlError('invalid', 'the input object must be a map')
  const process = withRequirements(loadProcess(toolRef), jobRequirements(job))
  const workRoot = options.workRoot ?? mkdtempSync(path.join(os.tmpdir(), 'continuum-cwl-'))
  try {
    const outputs = await runProcess(process, job, {
      workRoot,
      outer: [],
      js: options.js,
      inputBase: jobPath === undefined ? process.baseDir : path.dirname(path.resolve(jobPath)),
      topLevel: true,
    })
    mkdirSync(options.outdir, { recursive: true })
    return relocate(outputs, path.resolve(options.outdir), new Set()) as Record<string, unknown>
  } finally {
    if (options.workRoot === undefined) rmSync(workRoot, { recursive: true, force: true })
  }
}

/**
 * How long one expression may run here. The embedded runner works for its user on their own
 * machine, so it allows what the reference runner allows by default (60 s) rather than the
 * server's 5 s: a CWL expression may legitimately compute for seconds.
 */
const embeddedExpressionMs = 60_000

/** Requirements this runner honours; any other one in `requirements` is unsupported (exit 33). */
const supported = new Set([
  'InlineJavascriptRequirement',
  'SchemaDefRequirement',
  'InitialWorkDirRequirement',
  'EnvVarRequirement',
  'ShellCommandRequirement',
  'ResourceRequirement',
  'SubworkflowFeatureRequirement',
  'ScatterFeatureRequirement',
  'MultipleInputFeatureRequirement',
  'StepInputExpressionRequirement',
  'LoadListingRequirement',
  'InplaceUpdateRequirement',
  'ToolTimeLimit',
  'WorkReuse',
  'NetworkAccess',
])

async function runProcess(
  process: Process,
  given: Record<string, unknown>,
  options: RunOptions & { inputBase: string; topLevel?: boolean },
): Promise<Record<string, unknown>> {
  for (const req of process.requirements) {
    if (!supported.has(req.class.replace(/^.*[#/]/, ''))) {
      throw new CwlError('unsupported', `requirement ${req.class} is not supported by this runner`)
    }
  }
  // JavaScript only where the process (or what encloses it) asks for it.
  const jsReq = findRequirement('InlineJavascriptRequirement', process, ...options.outer)
  options = {
    ...options,
    js: jsReq
      ? await javascriptEvaluator((jsReq.expressionLib as string[] | undefined) ?? [], {
          timeoutMs: embeddedExpressionMs,
        })
      : undefined,
  }
  const inputs = prepareInputs(process, given, {
    baseDir: options.inputBase,
    staging: path.join(options.workRoot, 'staging'),
    outer: options.outer,
    js: options.js,
    discoverSecondary: options.topLevel === true,
  })
  const { topLevel: _topLevel, inputBase: _inputBase, ...inner } = options
  switch (process.class) {
    case 'CommandLineTool':
      return runCommandLineTool(process, inputs, inner)
    case 'Workflow':
      return runWorkflow(process, inputs, inner, runProcess)
    case 'ExpressionTool':
      return runExpressionTool(process, inputs, options.js, path.join(options.workRoot, 'literals'))
    default:
      throw new CwlError('unsupported', `${process.class} cannot run here`)
  }
}

/**
 * Output files copied into `outdir` (names kept, clashes numbered), described anew. The same
 * file or folder given as several outputs is copied once (`copied`: by source path).
 */
function relocate(
  value: unknown,
  outdir: string,
  taken: Set<string>,
  copied = new Map<string, string>(),
): unknown {
  if (Array.isArray(value)) return value.map((v) => relocate(v, outdir, taken, copied))
  if (isFileLike(value)) {
    const from = text(value.path)
    if (!from || !existsSync(from)) return value
    const key = `${from}\n${String(value.basename)}`
    let target = copied.get(key)
    if (target === undefined) {
      let name = String(value.basename)
      for (let i = 2; taken.has(name); i++) name = `${i}_${String(value.basename)}`
      taken.add(name)
      target = path.join(outdir, name)
      cpSync(from, target, { recursive: true })
      copied.set(key, target)
    }
    const moved = describeOutput({ ...value, basename: path.basename(target) }, target)
    if (Array.isArray(value.secondaryFiles)) {
      moved.secondaryFiles = value.secondaryFiles.map((s) => relocate(s, outdir, taken, copied))
    }
    return moved
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, relocate(v, outdir, taken, copied)]),
    )
  }
  return value
}
