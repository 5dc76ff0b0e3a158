/**
 * A job's run folder, shared by the local and Slurm executors: the wrapper script writes its pid
 * first, then runs the command with output captured, then writes the CPU times and, last and
 * atomically, the exit code. An exit code file is therefore proof the command finished; a pid
 * file without one is a command still running or killed.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import path from 'node:path'
import type { JobLogs, JobStatus } from './types.js'

/** Joins the job's cgroup (`$0`), sets its limits, then becomes the command. */
const joiner = [
  'if [ -n "$0" ]; then echo $$ > "$0/cgroup.procs" || exit 125; fi',
  'l="$CONTINUUM_LIMITS"',
  // Unquoted on purpose: three numbers, split into the positional parameters.
  'if [ -n "$l" ]; then set -- $l "$@"; ulimit -t "$1" && ulimit -f "$2" && ulimit -p "$3" || exit 125; shift 3; fi',
  'exec "$@"',
].join('; ')

/** `sh -c WRAPPER continuum-task argv…`; the command is exec'd as argv, never re-parsed. */
export const wrapperScript = [
  'd="$CONTINUUM_RUN_DIR"',
  // Shell builtins only (no mv): one short write() each, so readers see all of it or nothing.
  'echo $$ > "$d/pid"',
  // A TERM to the job's group (a cancel, or its wall time run out) ends the job; the wrapper
  // waits for it and records its exit (a trap runs after the foreground command).
  "trap 'echo terminated > /dev/null' TERM",
  // With a memory cgroup (local jobs, memory-cgroup.ts), the command joins it as it starts; the
  // wrapper stays outside, to read afterwards whether the kernel killed it for memory. Limits
  // (`CPU-SECONDS FILE-BLOCKS PROCESSES`, blocks of 512 bytes) are set by the same small shell,
  // with builtins: no prlimit to exec on every job's way in.
  'g="$CONTINUUM_CGROUP"',
  'if [ -n "$g$CONTINUUM_LIMITS" ]; then',
  `  /bin/sh -c '${joiner}' "$g" "$@" > "$d/stdout" 2> "$d/stderr" < /dev/null`,
  'else',
  '  "$@" > "$d/stdout" 2> "$d/stderr" < /dev/null',
  'fi',
  'rc=$?',
  // Builtins only from here (each exec costs milliseconds on a busy machine): whether the kernel
  // killed it for memory, then whatever it left running in its cgroup ends with it (as Slurm's
  // proctrack/cgroup does). The launcher removes the emptied cgroup.
  'if [ -n "$g" ]; then',
  '  for f in "$g/memory.oom_control" "$g/memory.events"; do',
  '    [ -f "$f" ] && while read -r k v; do',
  '      if [ "$k" = oom_kill ] && [ "$v" != 0 ]; then',
  '        echo "exceeded its memory limit of $CONTINUUM_MEMORY_MB MiB (killed by the kernel)" > "$d/reason"',
  '      fi',
  '    done < "$f"',
  '  done',
  '  if [ -f "$g/cgroup.kill" ]; then echo 1 > "$g/cgroup.kill"',
  '  else while read -r p; do kill -9 "$p"; done < "$g/cgroup.procs"; fi 2> /dev/null',
  // The kill is asynchronous in the kernel: the exit is recorded once nothing is left in the
  // cgroup (a few reads at most; bounded), so "done" never shows a leftover still running.
  '  n=0; while [ $n -lt 20000 ] && read -r p < "$g/cgroup.procs"; do n=$((n+1)); done 2> /dev/null',
  'fi',
  'times > "$d/times"',
  'echo $rc > "$d/rc"',
  'exit $rc',
].join('\n')

export function runFolder(root: string, attemptId: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(attemptId) || attemptId.includes('..')) {
    throw new Error(`attempt id '${attemptId}' is not a safe folder name`)
  }
  return path.join(root, attemptId)
}

/** The exit status a finished run left behind, or undefined while it has none. */
export function readFinished(dir: string): JobStatus | undefined {
  const rcFile = path.join(dir, 'rc')
  if (!existsSync(rcFile)) return undefined
  const text = readFileSync(rcFile, 'utf8').trim()
  // Empty: the shell has opened the file but not written the code yet.
  if (!/^\d+$/.test(text)) return undefined
  const exitCode = Number(text)
  // A job refused before it could start (its image, say) says why in `reason`.
  const refused = readReason(dir)
  const endMs = statSync(rcFile).mtimeMs
  const startMs = existsSync(path.join(dir, 'pid'))
    ? statSync(path.join(dir, 'pid')).mtimeMs
    : endMs
  return {
    state: exitCode === 0 ? 'done' : 'failed',
    exitCode,
    reason: exitCode === 0 ? null : (refused ?? exitReason(exitCode)),
    externalId: null,
    usage: {
      wallS: Math.max(0, (endMs - startMs) / 1000),
      cpuS: readCpuSeconds(dir),
      startedAt: new Date(startMs),
    },
  }
}

export function readReason(dir: string): string | null {
  try {
    return readFileSync(path.join(dir, 'reason'), 'utf8').trim().slice(0, 2000) || null
  } catch {
    return null
  }
}

/**
 * Ends an attempt before it ran: the run folder says why, as a finished one would say how it
 * ended (exit code 125, as container runtimes use for "could not start").
 */
export function writeRefused(dir: string, reason: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'stderr'), `${reason}\n`)
  writeFileSync(path.join(dir, 'reason'), reason)
  writeFileSync(path.join(dir, 'rc'), '125\n')
}

export function exitReason(exitCode: number): string {
  if (exitCode > 128 && exitCode < 160) return `killed by signal ${exitCode - 128}`
  if (exitCode === 127) return 'command not found'
  return `exit code ${exitCode}`
}

/** Children's user + system time from the shell's `times` (second line: `0m1.5s 0m0.2s`). */
function readCpuSeconds(dir: string): number {
  try {
    const lines = readFileSync(path.join(dir, 'times'), 'utf8').trim().split('\n')
    const children = lines[1] ?? ''
    let total = 0
    for (const m of children.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2])
    return total
  } catch {
    return 0
  }
}

/**
 * The wall time (s) of a job that has run past it and its 10 s grace — for a worker that adopted
 * the job after its launcher was gone, and so must end it itself; otherwise undefined.
 */
export function pastWallTime(dir: string, now = Date.now()): number | undefined {
  try {
    const wall = Number(readFileSync(path.join(dir, 'walltime'), 'utf8').trim())
    const started = statSync(path.join(dir, 'pid')).mtimeMs
    return Number.isFinite(wall) && now - started > (wall + 10) * 1000 ? wall : undefined
  } catch {
    return undefined
  }
}

export function readPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dir, 'pid'), 'utf8').trim())
    return Number.isInteger(pid) && pid > 1 ? pid : undefined
  } catch {
    return undefined
  }
}

/** True while the process runs; a zombie (exited, not yet reaped by its parent) is not alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true // no /proc (not Linux): trust the signal check
  }
}

export async function readLogs(dir: string, maxBytes = 1024 * 1024): Promise<JobLogs> {
  return {
    stdout: await tail(path.join(dir, 'stdout'), maxBytes),
    stderr: await tail(path.join(dir, 'stderr'), maxBytes),
  }
}

async function tail(file: string, maxBytes: number): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return ''
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, maxBytes)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    return buffer.toString('utf8')
  } finally {
    await handle.close()
  }
}
