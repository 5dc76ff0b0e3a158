/**
 * Runs jobs as child processes of this machine, at most `cores` cores and `memoryMb` MiB of
 * declared requests at a time. Each job runs in its own process group (detached), so it
 * survives a worker crash (another worker adopts it through its run folder) and a cancel kills
 * the whole group. Output goes to the run folder; see run-folder.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { isAlive, readFinished, readLogs, readPid, runFolder, wrapperScript } from './run-folder.js'
import type { Executor, JobLogs, JobRef, JobSpec, JobStatus } from './types.js'

export interface LocalExecutorOptions {
  /** Folder that holds one run folder per attempt. */
  root: string
  cores: number
  memoryMb: number
  /** A run folder without a pid after this long was never started (the worker died first). */
  startGraceMs?: number
  /** Jobs accepted at once, running or queued here (default 2 × cores). */
  maxInFlight?: number
  /** Delay between SIGTERM and SIGKILL on cancel. */
  killGraceMs?: number
}

interface Running {
  job: JobSpec
  pid: number
}

export class LocalExecutor implements Executor {
  readonly kind = 'local'
  readonly maxInFlight: number
  private readonly queue: JobSpec[] = []
  private readonly queued = new Set<string>()
  private readonly running = new Map<string, Running>()
  private usedCores = 0
  private usedMemoryMb = 0

  constructor(private readonly options: LocalExecutorOptions) {
    mkdirSync(options.root, { recursive: true })
    // Keep the queue short: jobs waiting here are not visible to other workers.
    this.maxInFlight = options.maxInFlight ?? options.cores * 2
  }

  async submit(job: JobSpec): Promise<{ externalId: string }> {
    const dir = runFolder(this.options.root, job.attemptId)
    if (!this.queued.has(job.attemptId) && !this.running.has(job.attemptId) && !existsSync(dir)) {
      this.queue.push(job)
      this.queued.add(job.attemptId)
      this.pump()
    }
    return { externalId: job.attemptId }
  }

  async status(refs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const out = new Map<string, JobStatus>()
    for (const ref of refs) out.set(ref.attemptId, this.statusOf(ref.attemptId))
    return out
  }

  private statusOf(attemptId: string): JobStatus {
    const base = { exitCode: null, reason: null, externalId: attemptId, usage: null }
    if (this.queued.has(attemptId)) return { ...base, state: 'queued' }
    const dir = runFolder(this.options.root, attemptId)
    const finished = readFinished(dir)
    if (finished) return { ...finished, externalId: attemptId }
    if (!existsSync(dir)) return { ...base, state: 'unknown' }
    if (this.running.has(attemptId)) return { ...base, state: 'running' }
    const pid = readPid(dir)
    if (pid !== undefined) {
      if (isAlive(pid)) return { ...base, state: 'running' }
      // It may have finished between the two reads.
      const late = readFinished(dir)
      if (late) return { ...late, externalId: attemptId }
      return {
        ...base,
        state: 'failed',
        reason: 'the process vanished without an exit status (killed?)',
      }
    }
    const age = Date.now() - statSync(dir).mtimeMs
    if (age < (this.options.startGraceMs ?? 10_000)) return { ...base, state: 'running' }
    return { ...base, state: 'lost', reason: 'the run folder exists but the command never started' }
  }

  async cancel(ref: JobRef): Promise<void> {
    if (this.queued.delete(ref.attemptId)) {
      const i = this.queue.findIndex((j) => j.attemptId === ref.attemptId)
      if (i >= 0) this.queue.splice(i, 1)
      return
    }
    // The launcher reports the pid shortly after the start; until then the run folder has it.
    const known = this.running.get(ref.attemptId)?.pid ?? -1
    const pid = known > 1 ? known : readPid(runFolder(this.options.root, ref.attemptId))
    if (pid === undefined || pid < 2) return
    killGroup(pid, 'SIGTERM')
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.options.killGraceMs ?? 5000)
    timer.unref()
  }

  logs(ref: JobRef, maxBytes?: number): Promise<JobLogs> {
    return readLogs(runFolder(this.options.root, ref.attemptId), maxBytes)
  }

  /** Jobs waiting for cores or memory here, and running. */
  load(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const job = this.queue[0] as JobSpec
      const cores = Math.min(job.cores, this.options.cores)
      const memory = Math.min(job.memoryMb, this.options.memoryMb)
      const fits =
        this.running.size === 0 ||
        (this.usedCores + cores <= this.options.cores &&
          this.usedMemoryMb + memory <= this.options.memoryMb)
      if (!fits) return
      this.queue.shift()
      this.queued.delete(job.attemptId)
      this.start(job, cores, memory)
    }
  }

  private start(job: JobSpec, cores: number, memory: number): void {
    const dir = runFolder(this.options.root, job.attemptId)
    try {
      // Exclusive: a folder that exists means some worker started this attempt already.
      mkdirSync(dir)
    } catch {
      return
    }
    this.usedCores += cores
    this.usedMemoryMb += memory
    const release = () => {
      if (!this.running.delete(job.attemptId)) return
      this.usedCores -= cores
      this.usedMemoryMb -= memory
      this.pump()
    }
    this.launch(
      job.attemptId,
      ['/bin/sh', '-c', wrapperScript, 'continuum-task', ...job.argv],
      job.workdir,
      {
        ...process.env,
        ...job.env,
        CONTINUUM_RUN_DIR: dir,
        CONTINUUM_CORES: String(cores),
      },
      {
        pid: (pid) => {
          const entry = this.running.get(job.attemptId)
          if (entry) entry.pid = pid
        },
        error: (message) => {
          writeFileSync(path.join(dir, 'stderr'), `could not start: ${message}\n`)
          writeFileSync(path.join(dir, 'rc'), '127\n')
          release()
        },
        exit: release,
      },
    )
    this.running.set(job.attemptId, { job, pid: -1 })
  }

  private launcher: ChildProcess | undefined
  private readonly callbacks = new Map<string, LaunchCallbacks>()

  /** Forks through the launcher process (see launcher.js), started on first use. */
  private launch(
    id: string,
    argv: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    callbacks: LaunchCallbacks,
  ): void {
    if (!this.launcher || this.launcher.exitCode !== null) {
      const launcher = spawn(process.execPath, [launcherPath], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      launcher.unref()
      ;(launcher.stdin as unknown as { unref?: () => void }).unref?.()
      ;(launcher.stdout as unknown as { unref?: () => void }).unref?.()
      createInterface({ input: launcher.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const message = JSON.parse(line) as {
          id: string
          pid?: number
          exit?: boolean
          error?: string
        }
        const cb = this.callbacks.get(message.id)
        if (!cb) return
        if (message.pid !== undefined) cb.pid(message.pid)
        if (message.error !== undefined) {
          this.callbacks.delete(message.id)
          cb.error(message.error)
        }
        if (message.exit) {
          this.callbacks.delete(message.id)
          cb.exit()
        }
      })
      // If the launcher dies, its jobs keep running; they are found again by their run folders.
      launcher.on('exit', () => {
        for (const cb of this.callbacks.values()) cb.exit()
        this.callbacks.clear()
      })
      this.launcher = launcher
    }
    this.callbacks.set(id, callbacks)
    this.launcher.stdin?.write(`${JSON.stringify({ id, argv, cwd, env })}\n`)
  }
}

interface LaunchCallbacks {
  pid(pid: number): void
  error(message: string): void
  exit(): void
}

const launcherPath = fileURLToPath(new URL('./launcher.js', import.meta.url))

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}
