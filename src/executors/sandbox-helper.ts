/**
 * The per-site sandbox helper (sandbox-helper.c): a small process the launcher starts once,
 * which forks each confined job into the namespaces and mounts bwrap would make and execs only
 * the job's command — one exec per job instead of a wrapper shell, bwrap and setpriv. Used when
 * the server runs as root (the helper needs no user namespace then) and a C compiler was there
 * to build it; otherwise, and for container images, jobs go through bwrap as before.
 *
 * The binary is built once per version of its source into the server account's cache folder
 * (`$XDG_CACHE_HOME` or `~/.cache`, `continuum/`), which must be that account's own and closed
 * to others: a root server runs it.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AttemptFolder } from './attempt-folder.js'
import { cpuLimitS, jobEnvironment, systemFolders, type SandboxOptions } from './sandbox.js'
import type { JobSpec } from './types.js'

const sourcePath = fileURLToPath(new URL('./sandbox-helper.c', import.meta.url))
/** `-z now`: every symbol bound at start, so the forked monitors resolve none of their own. */
const compileFlags = ['-O2', '-Wl,-z,now']

export interface HelperState {
  /** The helper's path, or null when jobs go through bwrap. */
  binary: string | null
  /** Why there is none (for the operator). */
  reason?: string
}

let state: HelperState | undefined

/** The built helper (built on first use, once per process), or why there is none. */
export function sandboxHelper(): HelperState {
  state ??= build()
  return state
}

function build(): HelperState {
  if (process.getuid?.() !== 0) {
    return { binary: null, reason: 'the server does not run as root (jobs go through bwrap)' }
  }
  if (process.env.CONTINUUM_SANDBOX_HELPER === 'off') {
    return { binary: null, reason: 'CONTINUUM_SANDBOX_HELPER=off' }
  }
  let source: Buffer
  try {
    source = readFileSync(sourcePath)
  } catch {
    return { binary: null, reason: `its source is missing (${sourcePath})` }
  }
  const version = createHash('sha256')
    .update(source)
    .update(compileFlags.join(' '))
    .digest('hex')
    .slice(0, 16)
  const cache = path.join(
    process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
    'continuum',
  )
  try {
    mkdirSync(cache, { recursive: true, mode: 0o700 })
    const folder = lstatSync(cache)
    if (!folder.isDirectory() || folder.uid !== process.getuid?.() || (folder.mode & 0o022) !== 0) {
      return { binary: null, reason: `${cache} is not this account's own, closed folder` }
    }
  } catch (err) {
    return { binary: null, reason: `no cache folder: ${(err as Error).message}` }
  }
  const binary = path.join(cache, `sandbox-helper-${version}`)
  if (!existsSync(binary)) {
    // Built under a name of its own, then renamed: servers starting together never run half a file.
    const partial = `${binary}.${process.pid}.partial`
    try {
      execFileSync(process.env.CC ?? 'cc', [...compileFlags, '-o', partial, sourcePath], {
        stdio: 'pipe',
        timeout: 60_000,
      })
      renameSync(partial, binary)
    } catch (err) {
      rmSync(partial, { force: true })
      const detail =
        (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message
      return { binary: null, reason: `it could not be built (${detail.slice(0, 300)})` }
    }
  }
  try {
    execFileSync(binary, ['--version'], { stdio: 'pipe', timeout: 10_000 })
  } catch (err) {
    return { binary: null, reason: `it does not run: ${(err as Error).message}` }
  }
  return { binary }
}

/**
 * The job as the helper reads it (`<run folder>/spec`): NUL-terminated strings, each tag
 * followed by its values. The same confinement as `sandboxArgv`, in data rather than argv.
 */
export function helperSpec(
  job: JobSpec,
  options: SandboxOptions,
  attempt: AttemptFolder,
  cgroup: string | null,
): string {
  const out: string[] = []
  const tag = (name: string, ...values: string[]) => out.push(name, ...values)
  tag('uid', String(options.uid))
  tag('gid', String(options.gid))
  if (cgroup) tag('cgroup', cgroup, 'memory', String(Math.ceil(job.memoryMb)))
  tag('cpu', String(cpuLimitS(job)))
  tag('fsize', String(options.maxFileMb * 1024 * 1024))
  tag('nproc', String(options.maxProcesses))
  for (const dir of systemFolders) if (existsSync(dir)) tag('system', dir)
  tag('workdir', job.workdir, 'work', attempt.work)
  for (const { source, target } of attempt.binds) tag('ro', source, target)
  for (const [k, v] of Object.entries(jobEnvironment(job))) tag('env', `${k}=${v}`)
  for (const arg of job.argv) tag('arg', arg)
  for (const value of out) {
    if (value.includes('\0')) throw new Error('a job argument or variable holds a NUL byte')
  }
  return out.map((v) => `${v}\0`).join('')
}
