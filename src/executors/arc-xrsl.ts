/**
 * A task attempt as an xRSL job description, the language every ARC CE accepts.
 *
 * Neither the command nor its environment goes into xRSL's own `arguments` and `environment`:
 * A-REX's job script writes arguments inside double quotes, escaping `"` and `\\` but not `$`
 * or backquotes, so an argument like `$HOME` would be expanded by the worker's shell, and it
 * drops newlines from environment values (both seen with A-REX 6.17). Instead a small shell
 * script — the environment's exports and the command, each value single-quoted — travels
 * base64-encoded in one variable, `CX_TASK_COMMAND`, and fixed `arguments` with no character
 * special inside double quotes decode it to a file and run that. The whole session folder is
 * kept for download (`outputfiles=("/" "")`): the engine, not the CE, decides which files
 * become outputs.
 */
import { ContinuumError } from '../platform/index.js'
import type { JobSpec } from './types.js'

/** The file the command is written to in the session folder (not an output). */
export const commandFile = '.cx-task-command'

/** Runs the command from the environment; no character here is special inside `"…"`. */
const launcher = `printenv CX_TASK_COMMAND | base64 -d > ${commandFile} && exec /bin/sh ${commandFile}`

/** POSIX shell single-quoting: exact for every byte but NUL. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export interface XrslOptions {
  /** Inputs the CE fetches itself, by URL, into the session folder under `name`. */
  inputUrls: ReadonlyArray<{ name: string; url: string }>
  /** Inputs this process uploads into the session folder after submission. */
  uploads: readonly string[]
  queue?: string | undefined
}

/** An xRSL string literal: double quotes, an inner double quote written twice. */
export function xrslString(value: string): string {
  if (value.includes('\u0000')) {
    throw new ContinuumError('VALIDATION_FAILED', 'a job description value contains NUL', {})
  }
  return `"${value.replace(/"/g, '""')}"`
}

const envName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

export function xrslFor(job: JobSpec, options: XrslOptions): string {
  const [program, ...args] = job.argv
  if (!program) {
    throw new ContinuumError('VALIDATION_FAILED', `task ${job.attemptId} has no command`, {})
  }
  const relations: string[] = [
    `(jobname=${xrslString(job.attemptId)})`,
    '(executable="/bin/sh")',
    `(arguments="-c" ${xrslString(launcher)})`,
    '(stdout="stdout")',
    '(stderr="stderr")',
    `(count=${Math.max(1, Math.floor(job.cores))})`,
    // xRSL's memory is per core, in MB.
    `(memory=${Math.max(1, Math.ceil(job.memoryMb / Math.max(1, job.cores)))})`,
    // xRSL's walltime is in minutes.
    `(walltime=${Math.max(1, Math.ceil(job.walltimeS / 60))})`,
    '(outputfiles=("/" ""))',
  ]
  if (options.queue) relations.push(`(queue=${xrslString(options.queue)})`)
  for (const name of Object.keys(job.env)) {
    if (!envName.test(name)) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `environment variable name '${name}' is not valid`,
        { name },
      )
    }
  }
  const script = [
    ...Object.entries(job.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    `exec ${[program, ...args].map(shellQuote).join(' ')}`,
    '',
  ].join('\n')
  relations.push(
    `(environment=("CX_TASK_COMMAND" ${xrslString(Buffer.from(script).toString('base64'))}))`,
  )
  const inputs = [
    ...options.inputUrls.map((i) => `(${xrslString(i.name)} ${xrslString(i.url)})`),
    ...options.uploads.map((name) => `(${xrslString(name)} "")`),
  ]
  if (inputs.length > 0) relations.push(`(inputfiles=${inputs.join('')})`)
  return `&${relations.join('')}`
}

/** Several descriptions in one submission (xRSL's multi-request). */
export function xrslMany(descriptions: readonly string[]): string {
  return descriptions.length === 1
    ? (descriptions[0] as string)
    : `+${descriptions.map((d) => `(${d})`).join('')}`
}
