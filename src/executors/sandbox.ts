/**
 * How a local job is confined: bubblewrap (bwrap) gives it its own mount, PID, IPC, UTS and
 * network namespaces, the system folders read-only, an empty /tmp, and of this machine's files
 * only its working folder (read-write) and its inputs (read-only) — never the server's home,
 * keys, database or other jobs' folders. It runs as an unprivileged account with a scrubbed
 * environment and resource limits (set by the wrapper's shell, see shellLimits). The wrapper
 * that records pid, output and exit code runs outside, so a job can neither hide nor forge its
 * exit status.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'
import type { AttemptFolder } from './attempt-folder.js'
import type { JobSpec } from './types.js'

export interface SandboxOptions {
  /** Account jobs run as (default 65534:65534, nobody). */
  uid: number
  gid: number
  /** Largest file a job may write, in MiB (RLIMIT_FSIZE). */
  maxFileMb: number
  /** Processes the account may run at once (RLIMIT_NPROC). */
  maxProcesses: number
  /** Folder holding bwrap and setpriv (default /usr/bin). */
  binDir: string
  /**
   * Whether jobs without an image go through the per-site helper (sandbox-helper.ts) where it
   * can run (the server is root and could build it); false: always bwrap. Default true.
   */
  helper?: boolean
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
export const systemFolders = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc', '/opt']

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

/**
 * argv that runs the job's command inside the sandbox: its attempt's own folder (see
 * attempt-folder.ts) is its working folder, at the workflow folder's path, with its inputs
 * bound in read-only.
 */
export function sandboxArgv(
  job: JobSpec,
  options: SandboxOptions,
  attempt: AttemptFolder,
): string[] {
  const args = [path.join(options.binDir, 'bwrap')]
  for (const dir of systemFolders) if (existsSync(dir)) args.push('--ro-bind', dir, dir)
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp')
  const parents = mountPoints(args, (d) =>
    systemFolders.some((s) => d === s || d.startsWith(`${s}/`)),
  )
  parents(job.workdir)
  args.push('--bind', attempt.work, job.workdir)
  for (const { source, target } of attempt.binds) args.push('--ro-bind', source, target)
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
  // Wall time is held by the launcher and limits set by the wrapper's shell (shellLimits): the
  // job's way in is bwrap, setpriv and the command, no more execs than that.
  args.push('--')
  if (asRoot) args.push(...setprivArgs(options))
  args.push(...job.argv)
  return args
}

/**
 * argv that runs the job inside a container image's root file system (unpacked by
 * oci-images.ts): the image's files, read-only, are the job's whole `/` — none of this
 * machine's system folders — plus its working folder and inputs as in `sandboxArgv`. Inside
 * the image there is no setpriv, so the switch to the job's account happens before the
 * sandbox: bwrap then runs unprivileged, as the account, in a user namespace (inside and out,
 * the job is that account). As that account it could not reach the run folders under the
 * server's private home, so a server running as root first makes a mount namespace (a first,
 * privileged bwrap) where the image, the working folder and the inputs are bound under
 * `/tmp/.cx`, and the job's sandbox is built from there.
 */
export function imageSandboxArgv(
  job: JobSpec,
  options: SandboxOptions,
  rootfs: string,
  attempt: AttemptFolder,
): string[] {
  const bin = (name: string) => path.join(options.binDir, name)
  const args: string[] = []
  const inputs = attempt.binds.map((b) => b.source)
  let source = { root: rootfs, work: attempt.work, inputs }
  if (process.getuid?.() === 0) {
    const staged = {
      root: '/tmp/.cx/root',
      work: '/tmp/.cx/work',
      inputs: inputs.map((_, i) => `/tmp/.cx/in/${i}`),
    }
    args.push(bin('bwrap'), '--ro-bind', '/', '/', '--bind', '/proc', '/proc')
    args.push('--dev-bind', '/dev', '/dev', '--tmpfs', '/tmp')
    for (const dir of ['/tmp/.cx', staged.root, staged.work, '/tmp/.cx/in']) {
      args.push('--perms', '0755', '--dir', dir)
    }
    args.push('--ro-bind', rootfs, staged.root, '--bind', attempt.work, staged.work)
    inputs.forEach((target, i) => args.push('--ro-bind', target, staged.inputs[i] as string))
    args.push('--die-with-parent', '--', ...setprivArgs(options), '--')
    source = staged
  }
  args.push(bin('bwrap'), '--unshare-all', '--tmpfs', '/')
  const own = new Set(['proc', 'dev', 'tmp'])
  for (const entry of readdirSync(rootfs)) {
    if (own.has(entry)) continue
    const from = path.join(rootfs, entry)
    if (lstatSync(from).isSymbolicLink()) args.push('--symlink', readlinkSync(from), `/${entry}`)
    else args.push('--ro-bind', path.join(source.root, entry), `/${entry}`)
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp')
  const parents = mountPoints(args, () => false)
  parents(job.workdir)
  args.push('--bind', source.work, job.workdir)
  attempt.binds.forEach(({ target }, i) => {
    args.push('--ro-bind', source.inputs[i] as string, target)
  })
  args.push('--die-with-parent', '--chdir', job.workdir, '--clearenv')
  for (const [k, v] of Object.entries(jobEnvironment(job))) args.push('--setenv', k, v)
  args.push('--', ...job.argv)
  return args
}

/**
 * Makes the folders above a bind's target, 0755: bwrap makes missing mount points 0700 (root's),
 * and the job's account could not pass through them. `skip`: folders that are there already.
 */
function mountPoints(args: string[], skip: (dir: string) => boolean): (target: string) => void {
  const made = new Set<string>()
  return (target) => {
    const chain: string[] = []
    for (let d = path.dirname(target); d !== '/'; d = path.dirname(d)) chain.unshift(d)
    for (const d of chain) {
      if (made.has(d) || skip(d)) continue
      made.add(d)
      args.push('--perms', '0755', '--dir', d)
    }
  }
}

/**
 * The limits the wrapper's shell sets before the sandbox starts (`ulimit -t -f -p`, inherited by
 * everything the job runs): CPU seconds (wall time × cores), largest file in 512-byte blocks,
 * processes of the job's account.
 */
export function shellLimits(job: JobSpec, options: SandboxOptions): string {
  return `${cpuLimitS(job)} ${options.maxFileMb * 2048} ${options.maxProcesses}`
}

/** A job's CPU seconds: its wall time on all of its cores. */
export function cpuLimitS(job: JobSpec): number {
  return Math.max(1, Math.ceil(job.walltimeS * Math.max(1, job.cores)))
}

function setprivArgs(options: SandboxOptions): string[] {
  return [
    path.join(options.binDir, 'setpriv'),
    `--reuid=${options.uid}`,
    `--regid=${options.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
  ]
}
