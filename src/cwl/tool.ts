/**
 * Running a CommandLineTool here: a fresh output folder, InitialWorkDirRequirement's files
 * staged into it, the command line built and run (through /bin/sh with
 * ShellCommandRequirement), stdin/stdout/stderr redirected, its exit code checked against
 * successCodes, and its outputs collected (outputs.ts).
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync } from 'node:fs'
import path from 'node:path'
import { buildCommandLine, shellQuote } from './command-line.js'
import { findRequirement, type Process, type Requirement } from './document.js'
import { CwlError } from './errors.js'
import { stageRenamed } from './files.js'
import { stageInitialWorkDir } from './initial-work-dir.js'
import { collectOutputs } from './outputs.js'
import { evaluate, type ExpressionContext, type JsEvaluator } from './param-refs.js'
import { isObject } from './types.js'

export interface RunOptions {
  /** Folder under which each tool run gets its output and temporary folders. */
  workRoot: string
  /** Requirements and hints of the enclosing workflow and step, innermost first. */
  outer: Array<{ requirements: Requirement[]; hints: Requirement[] }>
  js?: JsEvaluator | undefined
}

export async function runCommandLineTool(
  tool: Process,
  inputs: Record<string, unknown>,
  options: RunOptions,
): Promise<Record<string, unknown>> {
  mkdirSync(options.workRoot, { recursive: true })
  const outdir = mkdtempSync(path.join(options.workRoot, 'out-'))
  const tmpdir = mkdtempSync(path.join(options.workRoot, 'tmp-'))
  const levels = [tool, ...options.outer]
  const js = options.js
  const resources = findRequirement('ResourceRequirement', ...levels)
  // Amounts may be expressions of the inputs; fractions round up (a whole core, a whole MiB).
  const amount = (field: string): number | undefined => {
    const v = evaluate(resources?.[field], { inputs, self: null, runtime: {} }, js)
    return typeof v === 'number' ? Math.ceil(v) : undefined
  }
  const runtime: Record<string, unknown> = {
    outdir,
    tmpdir,
    cores: amount('coresMin') ?? amount('coresMax') ?? 1,
    ram: amount('ramMin') ?? amount('ramMax') ?? 1024,
    outdirSize: amount('outdirMin') ?? amount('outdirMax') ?? 1024,
    tmpdirSize: amount('tmpdirMin') ?? amount('tmpdirMax') ?? 1024,
  }
  // Files renamed by an expression are seen by the tool under their new names.
  const staged = stageRenamed(inputs, path.join(options.workRoot, 'staging'))
  const context: ExpressionContext = {
    inputs: staged as Record<string, unknown>,
    self: null,
    runtime,
  }
  const inplace = findRequirement('InplaceUpdateRequirement', ...levels)?.inplaceUpdate === true
  const linked = stageInitialWorkDir(findRequirement('InitialWorkDirRequirement', ...levels), {
    outdir,
    baseDir: tool.baseDir,
    context,
    js,
    inplace,
  })
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: outdir,
    TMPDIR: tmpdir,
  }
  const envReq = findRequirement('EnvVarRequirement', ...levels)
  const defs = envReq?.envDef
  const envList = Array.isArray(defs)
    ? (defs as Array<{ envName: string; envValue: string }>)
    : isObject(defs)
      ? Object.entries(defs).map(([envName, envValue]) => ({ envName, envValue: String(envValue) }))
      : []
  for (const d of envList) env[d.envName] = String(evaluate(d.envValue, context, js))

  const words = buildCommandLine(tool.raw, tool.inputs, context, js)
  const shell = findRequirement('ShellCommandRequirement', ...levels) !== undefined
  const argv = shell
    ? ['/bin/sh', '-c', words.map((w) => (w.quote ? shellQuote(w.text) : w.text)).join(' ')]
    : words.map((w) => w.text)
  if (argv.length === 0) throw new CwlError('invalid', 'the tool has no command')

  const stdinPath =
    tool.raw.stdin === undefined ? undefined : String(evaluate(tool.raw.stdin, context, js))
  const streamName = (field: 'stdout' | 'stderr'): string | undefined => {
    const named = tool.raw[field]
    if (named !== undefined) return String(evaluate(named, context, js))
    return tool.outputs.some((o) => o.type === field)
      ? `${field}-${Math.random().toString(36).slice(2, 10)}`
      : undefined
  }
  const stdoutName = streamName('stdout')
  const stderrName = streamName('stderr')
  const limit = findRequirement('ToolTimeLimit', ...levels)
  const timelimit = timeLimitOf(limit, context, js)
  const exitCode = await run(argv, {
    cwd: outdir,
    env,
    timelimitS: timelimit,
    stdin: stdinPath,
    stdout: stdoutName === undefined ? undefined : path.resolve(outdir, stdoutName),
    stderr: stderrName === undefined ? undefined : path.resolve(outdir, stderrName),
  })
  const codes = (tool.raw.successCodes as number[] | undefined) ?? [0]
  if (!codes.includes(exitCode)) {
    throw new CwlError('failed', `${argv[0]} exited with code ${exitCode}`)
  }
  runtime.exitCode = exitCode
  return collectOutputs(
    tool,
    outdir,
    { ...context, runtime },
    js,
    { stdout: stdoutName, stderr: stderrName },
    linked,
  )
}

/** ToolTimeLimit's seconds (0: none); anything but a whole number ≥ 0 is invalid. */
export function timeLimitOf(
  req: Requirement | undefined,
  context: ExpressionContext,
  js: JsEvaluator | undefined,
): number {
  const seconds = evaluate(req?.timelimit ?? 0, context, js)
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    throw new CwlError(
      'invalid',
      `ToolTimeLimit: ${JSON.stringify(seconds)} is not a whole number of seconds ≥ 0`,
    )
  }
  return seconds
}

function run(
  argv: string[],
  io: {
    cwd: string
    env: Record<string, string>
    timelimitS: number
    stdin?: string | undefined
    stdout?: string | undefined
    stderr?: string | undefined
  },
): Promise<number> {
  const fds: number[] = []
  const open = (p: string | undefined, flags: string) => {
    if (p === undefined) return 'ignore' as const
    const fd = openSync(p, flags)
    fds.push(fd)
    return fd
  }
  let child
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: io.cwd,
      env: io.env,
      // What a tool prints without a capture goes to stderr: stdout is the output object's.
      stdio: [
        open(io.stdin, 'r'),
        io.stdout ? open(io.stdout, 'w') : 2,
        io.stderr ? open(io.stderr, 'w') : 2,
      ],
    })
  } finally {
    // The child has its own copies now.
    setImmediate(() => fds.forEach((fd) => closeSync(fd)))
  }
  return new Promise((resolve, reject) => {
    // ToolTimeLimit: past it the tool is killed and the step fails.
    let timedOut = false
    const timer =
      io.timelimitS > 0
        ? setTimeout(() => {
            timedOut = true
            child.kill('SIGKILL')
          }, io.timelimitS * 1000)
        : undefined
    child.on('error', (err) =>
      reject(new CwlError('failed', `cannot run ${argv[0]}: ${err.message}`)),
    )
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        reject(new CwlError('failed', `${argv[0]} ran past its time limit of ${io.timelimitS} s`))
      } else resolve(code ?? (signal ? 128 : 1))
    })
  })
}
