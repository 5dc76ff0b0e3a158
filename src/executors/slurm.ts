/**
 * Runs jobs on a Slurm cluster with its command-line tools (sbatch, squeue, scontrol, scancel).
 * Jobs are named `cx-<attempt id>`, so submission is idempotent: before submitting, the name is
 * looked up in squeue and the run folder. Status is polled in batches — one squeue for every job
 * this executor watches — at most once per `pollIntervalMs`, so a thousand tasks cost one call,
 * not a thousand (sacct needs slurmdbd; finished jobs are read from their run folder's exit code,
 * and from scontrol when a job ended without one).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { readFinished, readLogs, runFolder, wrapperScript } from './run-folder.js'
import type { Executor, JobLogs, JobRef, JobSpec, JobStatus } from './types.js'

const exec = promisify(execFile)

export interface SlurmExecutorOptions {
  /** Run folders, on a file system the compute nodes share with this process. */
  root: string
  partition?: string
  /** Extra environment for the Slurm tools, e.g. SLURM_CONF. */
  env?: Record<string, string>
  /** Folder holding sbatch etc. (default: found on PATH). */
  binDir?: string
  /** Most jobs queued or running at once from this executor. */
  maxQueued?: number
  pollIntervalMs?: number
}

const activeSlurmStates: Record<string, 'queued' | 'running'> = {
  PENDING: 'queued',
  CONFIGURING: 'queued',
  REQUEUED: 'queued',
  RESIZING: 'queued',
  SUSPENDED: 'queued',
  RUNNING: 'running',
  COMPLETING: 'running',
}

export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm'
  readonly maxInFlight: number
  private lastPoll = 0
  private snapshot = new Map<string, { id: string; state: string; reason: string }>()
  /** Slurm calls made, for tests and the benchmark of polling cost. */
  calls = 0

  constructor(private readonly options: SlurmExecutorOptions) {
    mkdirSync(options.root, { recursive: true })
    this.maxInFlight = options.maxQueued ?? 200
  }

  private async tool(name: string, args: string[]): Promise<string> {
    this.calls++
    const bin = this.options.binDir ? path.join(this.options.binDir, name) : name
    const { stdout } = await exec(bin, args, {
      env: { ...process.env, ...this.options.env },
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout
  }

  private jobName(attemptId: string): string {
    return `cx-${attemptId}`
  }

  async submit(job: JobSpec): Promise<{ externalId: string }> {
    const dir = runFolder(this.options.root, job.attemptId)
    const idFile = path.join(dir, 'jobid')
    if (existsSync(idFile)) return { externalId: readFileSync(idFile, 'utf8').trim() }
    // A crash after sbatch but before the id was written: find the job by its name.
    const found = (await this.tool('squeue', ['-h', '-n', this.jobName(job.attemptId), '-o', '%i']))
      .trim()
      .split('\n')[0]
    if (found) {
      writeFileSync(idFile, `${found}\n`)
      return { externalId: found }
    }
    mkdirSync(dir, { recursive: true })
    const exports = Object.entries({
      ...job.env,
      CONTINUUM_RUN_DIR: dir,
      CONTINUUM_CORES: String(job.cores),
    })
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
      .join('\n')
    const script = path.join(dir, 'job.sh')
    writeFileSync(
      script,
      `#!/bin/sh\n${exports}\nexec /bin/sh -c ${shellQuote(wrapperScript)} continuum-task ${job.argv.map(shellQuote).join(' ')}\n`,
      { mode: 0o755 },
    )
    const args = [
      '--parsable',
      `--job-name=${this.jobName(job.attemptId)}`,
      `--chdir=${job.workdir}`,
      `--output=${path.join(dir, 'slurm.out')}`,
      `--cpus-per-task=${job.cores}`,
      `--mem=${Math.max(1, Math.ceil(job.memoryMb))}M`,
      `--time=${Math.max(1, Math.ceil(job.walltimeS / 60))}`,
      ...(this.options.partition ? [`--partition=${this.options.partition}`] : []),
      script,
    ]
    const id = (await this.tool('sbatch', args)).trim().split(';')[0] ?? ''
    writeFileSync(idFile, `${id}\n`)
    this.lastPoll = 0
    return { externalId: id }
  }

  async status(refs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const out = new Map<string, JobStatus>()
    const pending: JobRef[] = []
    for (const ref of refs) {
      const finished = readFinished(runFolder(this.options.root, ref.attemptId))
      if (finished) out.set(ref.attemptId, { ...finished, externalId: ref.externalId })
      else pending.push(ref)
    }
    if (pending.length === 0) return out
    if (Date.now() - this.lastPoll >= (this.options.pollIntervalMs ?? 2000)) {
      await this.refresh()
    }
    const vanished: JobRef[] = []
    for (const ref of pending) {
      const seen = this.snapshot.get(this.jobName(ref.attemptId))
      const base = {
        exitCode: null,
        reason: null,
        usage: null,
        externalId: seen?.id ?? ref.externalId,
      }
      if (seen) {
        out.set(ref.attemptId, {
          ...base,
          state: activeSlurmStates[seen.state] ?? 'running',
          reason: seen.reason === 'None' ? null : seen.reason,
        })
        continue
      }
      const idFile = path.join(runFolder(this.options.root, ref.attemptId), 'jobid')
      if (!existsSync(idFile)) out.set(ref.attemptId, { ...base, state: 'unknown' })
      else vanished.push(ref)
    }
    for (const ref of vanished) out.set(ref.attemptId, await this.explainVanished(ref))
    return out
  }

  /** One squeue for all of this cluster's jobs named by us. */
  private async refresh(): Promise<void> {
    const text = await this.tool('squeue', ['-h', '-o', '%j|%i|%T|%r'])
    const next = new Map<string, { id: string; state: string; reason: string }>()
    for (const line of text.split('\n')) {
      const [name, id, state, reason] = line.split('|')
      if (name?.startsWith('cx-') && id && state) {
        next.set(name, { id, state, reason: reason ?? '' })
      }
    }
    this.snapshot = next
    this.lastPoll = Date.now()
  }

  /** A job no longer queued and without an exit code: it ended before or outside the wrapper. */
  private async explainVanished(ref: JobRef): Promise<JobStatus> {
    const dir = runFolder(this.options.root, ref.attemptId)
    const id = readFileSync(path.join(dir, 'jobid'), 'utf8').trim()
    const late = readFinished(dir)
    if (late) return { ...late, externalId: id }
    let state = 'UNKNOWN'
    let reason = 'the job left the queue without an exit status'
    try {
      const info = await this.tool('scontrol', ['show', 'job', id])
      state = /JobState=(\S+)/.exec(info)?.[1] ?? state
      reason = `Slurm job ${id} ended ${state} (${/Reason=(\S+)/.exec(info)?.[1] ?? 'no reason'})`
    } catch {
      // scontrol forgets jobs after MinJobAge
    }
    const active = activeSlurmStates[state]
    if (active) return { state: active, exitCode: null, reason: null, externalId: id, usage: null }
    if (state === 'COMPLETED' && !existsSync(path.join(dir, 'pid'))) {
      return { state: 'lost', exitCode: null, reason, externalId: id, usage: null }
    }
    return { state: 'failed', exitCode: null, reason, externalId: id, usage: null }
  }

  async cancel(ref: JobRef): Promise<void> {
    await this.tool('scancel', ['-n', this.jobName(ref.attemptId)]).catch(() => undefined)
  }

  logs(ref: JobRef, maxBytes?: number): Promise<JobLogs> {
    return readLogs(runFolder(this.options.root, ref.attemptId), maxBytes)
  }
}
