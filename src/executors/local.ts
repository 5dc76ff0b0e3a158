/**
 * Runs jobs as child processes of this machine, at most `cores` cores and `memoryMb` MiB of
 * declared requests at a time. Each job runs in its own process group (detached), so it
 * survives a worker crash (another worker adopts it through its run folder) and a cancel kills
 * the whole group. Output goes to the run folder; see run-folder.ts.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'
import {
  type AttemptFolder,
  collectAttemptFolder,
  discardAttemptFolder,
  prepareAttemptFolder,
} from './attempt-folder.js'
import { accountFor, resolveAccount } from './job-accounts.js'
import { startLauncher } from './launcher-process.js'
import { jobCgroup, memoryCgroups, removeJobCgroup, removeJobCgroupLater } from './memory-cgroup.js'
import { resolveImage, unpackedRoot } from './oci-images.js'
import { helperSpec, sandboxHelper } from './sandbox-helper.js'
import {
  isAlive,
  pastWallTime,
  readFinished,
  readReason,
  readLogs,
  readPid,
  runFolder,
  wrapperScript,
  writeRefused,
} from './run-folder.js'
import {
  assertSandboxAvailable,
  defaultSandbox,
  imageSandboxArgv,
  jobEnvironment,
  sandboxArgv,
  shellLimits,
  type Confinement,
  type SandboxOptions,
} from './sandbox.js'
import type { Executor, JobLogs, JobRef, JobSpec, JobStatus } from './types.js'

export interface LocalExecutorOptions {
  /** Folder that holds one run folder per attempt. */
  root: string
  cores: number
  memoryMb: number
  /** A run folder without a pid after this long was never started (the worker died first). */
  startGraceMs?: number
  /**
   * Jobs accepted at once, running or queued here. Default: adapts to the work — 2 × cores,
   * growing while jobs are short so that about a second of work is queued (at most 256).
   */
  maxInFlight?: number
  /** Delay between SIGTERM and SIGKILL on cancel. */
  killGraceMs?: number
  /** How jobs are confined (default: bubblewrap as nobody, see sandbox.ts). */
  confinement?: Confinement
  /** The site's image store (OCI layouts or archives, see oci-images.ts); none: no images. */
  images?: string
  /**
   * Unix account per community (`default` for the others) the sandbox runs jobs as; without
   * one, the confinement's own account (nobody).
   */
  accounts?: Record<string, string>
}

interface Pending {
  started: boolean
  pid: number
  startedAt?: number
}

/** Most jobs the adaptive default keeps in flight. */
const adaptiveCeiling = 256
/** Work the adaptive default keeps queued ahead, in milliseconds of job run time per core. */
const queuedAheadMs = 1000

export class LocalExecutor implements Executor {
  readonly kind = 'local'
  /** Jobs handed to the launcher that have not ended: queued there, or running. */
  private readonly pending = new Map<string, Pending>()
  private launcher: ChildProcess | undefined

  private readonly confinement: Confinement
  private readonly endedListeners = new Set<() => void>()
  /** Moving average of how long recent jobs ran (ms); undefined until one has ended. */
  private typicalRunMs: number | undefined

  constructor(private readonly options: LocalExecutorOptions) {
    this.confinement = options.confinement ?? defaultSandbox
    if (this.confinement !== 'unconfined') assertSandboxAvailable(this.confinement)
    mkdirSync(options.root, { recursive: true })
  }

  /**
   * The site's setting, else enough jobs to keep the cores busy for about a second: short jobs
   * (a scatter of small commands) get a deeper queue, long ones stay at 2 × cores so that work
   * waiting here — which other workers cannot see — stays small.
   */
  get maxInFlight(): number {
    if (this.options.maxInFlight !== undefined) return this.options.maxInFlight
    const floor = this.options.cores * 2
    if (this.typicalRunMs === undefined) return floor
    const perCore = Math.ceil(queuedAheadMs / Math.max(1, this.typicalRunMs))
    return Math.min(adaptiveCeiling, Math.max(floor, this.options.cores * perCore))
  }

  onJobEnded(listener: () => void): void {
    this.endedListeners.add(listener)
  }

  async submit(job: JobSpec): Promise<{ externalId: string }> {
    const dir = runFolder(this.options.root, job.attemptId)
    if (!this.pending.has(job.attemptId) && !existsSync(dir)) {
      this.pending.set(job.attemptId, { started: false, pid: -1 })
      let sandbox = this.confinement === 'unconfined' ? undefined : this.confinement
      let command: string[] = []
      // Its declared memory, enforced by the kernel where this machine lets us (see the wrapper).
      const cgroup = jobCgroup(job.attemptId, job.memoryMb)
      /** The job as the site's sandbox helper reads it, when the helper forks it. */
      let spec: string | undefined
      try {
        sandbox = sandbox && this.withAccount(sandbox, job)
        // A confined job works in a folder of its own attempt (attempt-folder.ts).
        const attempt = sandbox && prepareAttemptFolder(this.options.root, job, sandbox)
        if (job.image) command = await this.imageCommand(job, job.image, sandbox, attempt)
        else if (sandbox && attempt && this.helperFor(sandbox, dir)) {
          spec = helperSpec(job, sandbox, attempt, cgroup)
        } else command = sandbox && attempt ? sandboxArgv(job, sandbox, attempt) : job.argv
      } catch (err) {
        // The job cannot start here, now or later: it ends failed, saying why.
        this.pending.delete(job.attemptId)
        if (cgroup) removeJobCgroup(cgroup)
        await discardAttemptFolder(this.options.root, job.attemptId)
        writeRefused(dir, err instanceof Error ? err.message : String(err))
        return { externalId: job.attemptId }
      }
      const resources = {
        cores: job.cores,
        memoryMb: job.memoryMb,
        walltimeS: Math.max(1, Math.ceil(job.walltimeS)),
      }
      if (spec !== undefined && sandbox) {
        // The site's helper forks it into its sandbox: no wrapper, bwrap or setpriv to exec.
        const helper = { spec, uid: sandbox.uid }
        this.send({ op: 'run', id: job.attemptId, dir, helper, cgroup, ...resources })
        return { externalId: job.attemptId }
      }
      const limits = {
        ...(cgroup
          ? { CONTINUUM_CGROUP: cgroup, CONTINUUM_MEMORY_MB: String(Math.ceil(job.memoryMb)) }
          : {}),
        ...(sandbox ? { CONTINUUM_LIMITS: shellLimits(job, sandbox) } : {}),
      }
      this.send({
        op: 'run',
        id: job.attemptId,
        dir,
        argv: ['/bin/sh', '-c', wrapperScript, 'continuum-task', ...command],
        // A confined job's folder is set inside its sandbox; an unconfined one starts in it here.
        ...(sandbox ? {} : { cwd: job.workdir }),
        // The wrapper (outside the sandbox) needs only its run folder; the job gets its own.
        env: sandbox
          ? { PATH: '/usr/bin:/bin', CONTINUUM_RUN_DIR: dir, ...limits }
          : // Unconfined (an operator's explicit choice) still never hands a job the
            // server's environment: the same allow-list as inside the sandbox.
            { ...jobEnvironment(job), CONTINUUM_RUN_DIR: dir, ...limits },
        ...resources,
      })
    }
    return { externalId: job.attemptId }
  }

  /** Whether a confined job without an image goes through the site's helper. */
  private helperFor(sandbox: SandboxOptions, dir: string): boolean {
    if (sandbox.helper === false || /[\t\n]/.test(dir)) return false
    return sandboxHelper().binary !== null
  }

  /** The sandbox as the account the site maps the job's community to (if it maps one). */
  private withAccount(sandbox: SandboxOptions, job: JobSpec): SandboxOptions {
    const name = accountFor(this.options.accounts, job.community)
    if (name === null) return sandbox
    const account = resolveAccount(name)
    return { ...sandbox, uid: account.uid, gid: account.gid }
  }

  /** The sandboxed command inside the task's image, unpacked from the site's store first. */
  private async imageCommand(
    job: JobSpec,
    image: string,
    sandbox: SandboxOptions | undefined,
    attempt: AttemptFolder | undefined,
  ): Promise<string[]> {
    const images = this.options.images
    if (!images) {
      throw new ContinuumError(
        'IMAGE_UNAVAILABLE',
        `image ${image}: this site has no image store (bind it with --images DIR)`,
        { image },
      )
    }
    if (sandbox === undefined || attempt === undefined) {
      throw new ContinuumError(
        'IMAGE_UNAVAILABLE',
        `image ${image}: images run only in the sandbox, and this site runs jobs unconfined`,
        { image },
      )
    }
    const cache = path.join(this.options.root, '.images')
    const rootfs = await unpackedRoot(cache, await resolveImage(images, cache, image))
    return imageSandboxArgv(job, sandbox, rootfs, attempt)
  }

  async status(refs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const out = new Map<string, JobStatus>()
    const ending: Promise<void>[] = []
    for (const ref of refs) {
      const status = this.statusOf(ref.attemptId)
      if (status.state === 'queued' || status.state === 'running' || status.state === 'unknown') {
        out.set(ref.attemptId, status)
      } else {
        // The ended ones' folders are settled together, off the event loop.
        ending.push(this.settled(status, ref).then((s) => void out.set(ref.attemptId, s)))
      }
    }
    await Promise.all(ending)
    return out
  }

  /**
   * An ended attempt's folder: what a successful one made is moved into the workflow's folder
   * before it is reported done (so the engine's stage-out and the next tasks find it); a
   * failed one's is removed.
   */
  private async settled(status: JobStatus, ref: JobRef): Promise<JobStatus> {
    if (status.state === 'done' || status.state === 'failed' || status.state === 'lost') {
      // The launcher removes it as the job ends; this covers a launcher that went first.
      const cgroups = memoryCgroups()
      if (cgroups) await removeJobCgroupLater(path.join(cgroups.base, ref.attemptId))
    }
    if (status.state === 'done') {
      try {
        await collectAttemptFolder(this.options.root, ref.attemptId)
      } catch (err) {
        return {
          ...status,
          state: 'failed',
          reason: `its files could not be moved into the workflow folder: ${(err as Error).message}`,
        }
      }
    } else if (status.state === 'failed' || status.state === 'lost') {
      await discardAttemptFolder(this.options.root, ref.attemptId)
    }
    return status
  }

  private statusOf(attemptId: string): JobStatus {
    const base = { exitCode: null, reason: null, externalId: attemptId, usage: null }
    const dir = runFolder(this.options.root, attemptId)
    // The launcher reports each exit (after the exit code is written): until then a job of ours
    // is queued or running, and its run folder need not be read on every poll.
    const mine = this.pending.get(attemptId)
    if (mine) return { ...base, state: mine.started ? 'running' : 'queued' }
    const finished = readFinished(dir)
    if (finished) return { ...finished, externalId: attemptId }
    if (!existsSync(dir)) return { ...base, state: 'unknown' }
    const pid = readPid(dir)
    if (pid !== undefined) {
      const overdue = pastWallTime(dir)
      if (overdue !== undefined && isAlive(pid)) {
        // Adopted after its launcher was gone: nobody else holds its wall time.
        writeFileSync(path.join(dir, 'reason'), `exceeded its wall time of ${overdue} s\n`)
        killGroup(pid, 'SIGKILL')
      }
      if (isAlive(pid)) return { ...base, state: 'running' }
      // It may have finished between the two reads.
      const late = readFinished(dir)
      if (late) return { ...late, externalId: attemptId }
      return {
        ...base,
        state: 'failed',
        reason: readReason(dir) ?? 'the process vanished without an exit status (killed?)',
      }
    }
    const age = Date.now() - statSync(dir).mtimeMs
    if (age < (this.options.startGraceMs ?? 10_000)) return { ...base, state: 'running' }
    return { ...base, state: 'lost', reason: 'the run folder exists but the command never started' }
  }

  async cancel(ref: JobRef): Promise<void> {
    const mine = this.pending.get(ref.attemptId)
    if (mine && !mine.started) {
      this.pending.delete(ref.attemptId)
      // The launcher may have started it already (its reply not read yet): it then kills it.
      this.send({ op: 'drop', id: ref.attemptId, graceMs: this.options.killGraceMs ?? 5000 })
      const cgroups = memoryCgroups()
      if (cgroups) removeJobCgroup(path.join(cgroups.base, ref.attemptId))
      return
    }
    // The launcher reports the pid as the job starts; the run folder has it too.
    const pid =
      mine && mine.pid > 1 ? mine.pid : readPid(runFolder(this.options.root, ref.attemptId))
    if (pid === undefined || pid < 2) return
    killGroup(pid, 'SIGTERM')
    const timer = setTimeout(() => {
      killGroup(pid, 'SIGKILL')
      // A cancelled attempt's files are not kept (its logs are, in the run folder).
      discardAttemptFolder(this.options.root, ref.attemptId).catch(() => undefined)
    }, this.options.killGraceMs ?? 5000)
    timer.unref()
  }

  logs(ref: JobRef, maxBytes?: number): Promise<JobLogs> {
    return readLogs(runFolder(this.options.root, ref.attemptId), maxBytes)
  }

  /** Jobs waiting for cores or memory, and running. */
  load(): { queued: number; running: number } {
    let running = 0
    for (const p of this.pending.values()) if (p.started) running++
    return { queued: this.pending.size - running, running }
  }

  private noteRunTime(ms: number): void {
    this.typicalRunMs = this.typicalRunMs === undefined ? ms : this.typicalRunMs * 0.9 + ms * 0.1
  }

  private send(message: Record<string, unknown>): void {
    if (!this.launcher || this.launcher.exitCode !== null) this.launcher = this.startLauncher()
    this.launcher.stdin?.write(`${JSON.stringify(message)}\n`)
  }

  release(): void {
    // The launcher stays until its jobs have ended, then exits on the end of its input.
    this.launcher?.stdin?.end()
    this.launcher = undefined
  }

  /** The launcher's pid while it runs (tests). */
  get launcherPid(): number | undefined {
    return this.launcher?.pid
  }

  private startLauncher(): ChildProcess {
    const helper = this.confinement !== 'unconfined' ? sandboxHelper().binary : null
    const launcher = startLauncher(this.options, helper, (m) => {
      const entry = this.pending.get(m.id)
      if (!entry) return
      if (m.started) {
        entry.started = true
        entry.pid = m.pid ?? -1
        entry.startedAt = performance.now()
      }
      if (m.exit || m.error !== undefined || m.exists) {
        this.pending.delete(m.id)
        if (m.exit && entry.startedAt !== undefined) {
          this.noteRunTime(performance.now() - entry.startedAt)
        }
        for (const listener of this.endedListeners) listener()
      }
    })
    // If the launcher dies, started jobs keep running (found again by their run folders) and
    // queued ones are forgotten (found unknown, and submitted again).
    launcher.on('exit', () => this.pending.clear())
    return launcher
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}
