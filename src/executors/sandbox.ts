/**
 * How a local job is confined: bubblewrap (bwrap) gives it its own mount, PID, IPC, UTS and
 * network namespaces, the system folders read-only, an empty /tmp, and of this machine's files
 * only its working folder (read-write) and its inputs (read-only) — never the server's home,
 * keys, database or other jobs' folders. It runs as an unprivileged account with a scrubbed
 * environment and resource limits (prlimit). The wrapper that records pid, output and exit
 * code runs outside, so a job can neither hide nor forge its exit status.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'
import type { JobSpec } from './types.js'

export interface SandboxOptions {
  /** Account jobs run as (default 65534:65534, nobody). */
  uid: number
  gid: number
  /** Largest file a job may write, in MiB (RLIMIT_FSIZE). */
  maxFileMb: number
  /** Processes the account may run at once (RLIMIT_NPROC). */
  maxProcesses: number
  /** Folder holding bwrap and prlimit (default /usr/bin). */
  binDir: string
}

/** `unconfined`: jobs run as the server's user with its power; only for trusted single-user setups. */
export type Confinement = SandboxOptions | 'unconfined'

export const defaultSandbox: SandboxOptions = {
  uid: 65534,
  gid: 65534,
  maxFileMb: 10 * 1024,
  maxProcesses: 4096,
  binDir: '/usr/bin',
}

/** System folders a job may read (those that exist here). */
const systemFolders = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc', '/opt']

/** Refuses to run jobs without a working bwrap: the fallback would be the server's power. */
export function assertSandboxAvailable(options: SandboxOptions): void {
  const bwrap = path.join(options.binDir, 'bwrap')
  try {
    execFileSync(bwrap, ['--ro-bind', '/', '/', '--unshare-all', '--', '/bin/true'], {
      stdio: 'ignore',
      timeout: 10_000,
    })
  } catch (cause) {
    throw new ContinuumError(
      'EXECUTOR_UNAVAILABLE',
      `local jobs run confined by bubblewrap, which does not work here (${bwrap}): install it (apt-get install bubblewrap) or, for a trusted single-user machine only, configure the site with sandbox: unconfined`,
      { bwrap },
      { cause },
    )
  }
}

/** The environment a confined job gets: a short allow-list plus what the task declares. */
export function jobEnvironment(job: JobSpec): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: job.workdir,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TMPDIR: '/tmp',
    CONTINUUM_CORES: String(job.cores),
  }
  for (const [k, v] of Object.entries(job.env)) env[k] = v
  return env
}

/** argv that runs the job's command inside the sandbox. */
export function sandboxArgv(job: JobSpec, options: SandboxOptions): string[] {
  const bind = (flag: string, p: string) => [flag, p, p]
  const args = [path.join(options.binDir, 'bwrap')]
  for (const dir of systemFolders) if (existsSync(dir)) args.push(...bind('--ro-bind', dir))
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp')
  // bwrap makes missing mount points 0700 (root's): the account could not pass through them.
  const made = new Set<string>()
  const parents = (p: string) => {
    const chain: string[] = []
    for (let d = path.dirname(p); d !== '/'; d = path.dirname(d)) chain.unshift(d)
    for (const d of chain) {
      if (made.has(d) || systemFolders.some((s) => d === s || d.startsWith(`${s}/`))) continue
      made.add(d)
      args.push('--perms', '0755', '--dir', d)
    }
  }
  parents(job.workdir)
  args.push(...bind('--bind', job.workdir))
  for (const target of inputTargets(job)) {
    parents(target)
    args.push(...bind('--ro-bind', target))
  }
  // As root, no user namespace: bwrap's --uid would map the job back to root outside. The job
  // drops to the account with setpriv instead (real uid, no capabilities, no new privileges).
  const asRoot = process.getuid?.() === 0
  args.push(
    ...(asRoot
      ? ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']
      : ['--unshare-all']),
    // No --new-session: the sandbox must stay in the wrapper's process group, so that a cancel's
    // SIGTERM/SIGKILL to that group reaches bwrap's init even if it came in before bwrap had armed
    // --die-with-parent (with a session of its own, such a job outlived its cancel). The job has
    // no controlling terminal (the launcher detaches it, stdin is /dev/null), so there is none to
    // inject into, which is what --new-session guards against.
    '--die-with-parent',
    '--chdir',
    job.workdir,
    '--clearenv',
  )
  for (const [k, v] of Object.entries(jobEnvironment(job))) args.push('--setenv', k, v)
  const limits = [
    `--cpu=${Math.max(1, Math.ceil(job.walltimeS * Math.max(1, job.cores)))}`,
    `--fsize=${options.maxFileMb * 1024 * 1024}`,
    `--nproc=${options.maxProcesses}`,
  ]
  const wall = ['-k', '10', String(Math.max(1, Math.ceil(job.walltimeS)))]
  args.push('--')
  if (asRoot) {
    args.push(
      path.join(options.binDir, 'setpriv'),
      `--reuid=${options.uid}`,
      `--regid=${options.gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
    )
  }
  args.push(path.join(options.binDir, 'timeout'), ...wall)
  args.push(path.join(options.binDir, 'prlimit'), ...limits, '--', ...job.argv)
  return args
}

/** Real paths of inputs that are links out of the working folder (staged-in replicas). */
function inputTargets(job: JobSpec): string[] {
  const out = new Set<string>()
  for (const input of job.inputs ?? []) {
    const p = path.resolve(job.workdir, input)
    if (!p.startsWith(`${job.workdir}/`)) continue
    try {
      const real = realpathSync(p)
      if (!real.startsWith(`${job.workdir}/`)) out.add(real)
    } catch {
      // Missing: the job reports it.
    }
  }
  return [...out]
}
