/**
 * Runs jobs on a Slurm cluster with its command-line tools (sbatch, squeue, scontrol, scancel).
 * Jobs are named `cx-<attempt id>`, so submission is idempotent: before submitting, the name is
 * looked up in squeue and the run folder. Status is polled in batches — one squeue for every job
 * this executor watches — at most once per `pollIntervalMs`, so a thousand tasks cost one call,
 * not a thousand; scatters go as job arrays (submitMany) (sacct needs slurmdbd; finished jobs are read from their run folder's exit code,
 * and from scontrol when a job ended without one).
 */
import { execFile } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  accountFor,
  checkBatchAccounts,
  handOver,
  resolveAccount,
  unreachable,
  type UnixAccount,
} from './job-accounts.js'
import { readFinished, readLogs, runFolder, wrapperScript, writeRefused } from './run-folder.js'
import { jobEnvironment } from './sandbox.js'
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
  /**
   * Unix account per community (`default` for the others) its jobs run as: `sbatch --uid/--gid`
   * when this process is root. Unmapped communities run as this process's own account.
   */
  accounts?: Record<string, string>
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

/** Slurm's default MaxArraySize is 1001: indices 0…1000. */
const maxArraySize = 1000

interface ArrayElement {
  name: string
  index: number
}

function readArrayMarker(dir: string): ArrayElement | undefined {
  try {
    const [name, index] = readFileSync(path.join(dir, 'array'), 'utf8').trim().split(' ')
    return name && index !== undefined ? { name, index: Number(index) } : undefined
  } catch {
    return undefined
  }
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
    checkBatchAccounts(options.accounts ?? {}, options.root)
    this.maxInFlight = options.maxQueued ?? 200
  }

  /** The account the job runs as, when it is not this process's own (root submitting). */
  private accountOf(job: JobSpec): UnixAccount | null {
    const name = accountFor(this.options.accounts, job.community)
    if (name === null || process.getuid?.() !== 0) return null
    return resolveAccount(name)
  }

  /** The job, as its account, writes its run folder and working folder; it reads its script. */
  private handOver(job: JobSpec, dir: string): void {
    const account = this.accountOf(job)
    if (account !== null) handOver(account, dir, job.workdir)
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
    // A crash after sbatch but before the id was written: find the job (or array element) by name.
    const element = readArrayMarker(dir)
    const found = element
      ? await this.findArrayElement(element)
      : (await this.tool('squeue', ['-h', '-n', this.jobName(job.attemptId), '-o', '%i']))
          .trim()
          .split('\n')[0]
    if (found) {
      writeFileSync(idFile, `${found}\n`)
      return { externalId: found }
    }
    if (element) rmSync(path.join(dir, 'array'))
    const script = this.writeJobScript(job, dir)
    this.handOver(job, dir)
    const closed = this.accountOf(job) ? unreachable(job.workdir, false) : null
    if (closed) {
      // It would fail on the node with nothing to say why: it ends here, saying it.
      writeRefused(
        dir,
        `the job's account cannot reach its folder ${job.workdir}: ${closed} is closed to other accounts (workflow folders must be on a file system open to the site's accounts)`,
      )
      writeFileSync(idFile, 'refused\n')
      return { externalId: 'refused' }
    }
    const args = [
      '--parsable',
      `--job-name=${this.jobName(job.attemptId)}`,
      ...this.resourceArgs(job),
      `--output=${path.join(dir, 'slurm.out')}`,
      script,
    ]
    const id = (await this.tool('sbatch', args)).trim().split(';')[0] ?? ''
    writeFileSync(idFile, `${id}\n`)
    this.lastPoll = 0
    return { externalId: id }
  }

  /**
   * Jobs that share their folder and resources (a scatter's) go as one job array
   * (`sbatch --array`): one call and one scheduler entry instead of hundreds. Each element runs
   * its attempt's own job script, listed in the array's index file; each attempt's folder
   * records the array's name and its index *before* sbatch, so after a crash the element is
   * found by name and never submitted twice.
   */
  async submitMany(jobs: readonly JobSpec[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    const groups = new Map<string, JobSpec[]>()
    for (const job of jobs) {
      const key = [
        job.workdir,
        job.cores,
        job.memoryMb,
        job.walltimeS,
        accountFor(this.options.accounts, job.community) ?? '',
      ].join('\u0000')
      groups.set(key, [...(groups.get(key) ?? []), job])
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += maxArraySize) {
        const part = group.slice(i, i + maxArraySize)
        if (part.length === 1) {
          const job = part[0] as JobSpec
          out.set(job.attemptId, (await this.submit(job)).externalId)
          continue
        }
        for (const [attemptId, id] of await this.submitArray(part)) out.set(attemptId, id)
      }
    }
    return out
  }

  private async submitArray(jobs: readonly JobSpec[]): Promise<Map<string, string>> {
    const first = jobs[0] as JobSpec
    const name = `cx-arr-${first.attemptId}`
    const arrayDir = path.join(this.options.root, `array-${first.attemptId}`)
    mkdirSync(arrayDir, { recursive: true })
    const scripts: string[] = []
    jobs.forEach((job, index) => {
      const dir = runFolder(this.options.root, job.attemptId)
      scripts.push(this.writeJobScript(job, dir))
      writeFileSync(path.join(dir, 'array'), `${name} ${index}\n`)
      this.handOver(job, dir)
    })
    const list = path.join(arrayDir, 'scripts')
    writeFileSync(list, `${scripts.join('\n')}\n`)
    const runner = path.join(arrayDir, 'array.sh')
    writeFileSync(
      runner,
      `#!/bin/sh\nexec "$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(list)})"\n`,
      { mode: 0o755 },
    )
    // Read by the elements as their account: readable whatever this process's umask.
    chmodSync(arrayDir, 0o755)
    chmodSync(list, 0o644)
    chmodSync(runner, 0o755)
    const account = this.accountOf(first)
    if (account) chownSync(arrayDir, account.uid, account.gid)
    const args = [
      '--parsable',
      `--job-name=${name}`,
      `--array=0-${jobs.length - 1}`,
      ...this.resourceArgs(first),
      `--output=${path.join(arrayDir, 'slurm-%a.out')}`,
      runner,
    ]
    const arrayId = (await this.tool('sbatch', args)).trim().split(';')[0] ?? ''
    const out = new Map<string, string>()
    jobs.forEach((job, index) => {
      const id = `${arrayId}_${index}`
      writeFileSync(path.join(runFolder(this.options.root, job.attemptId), 'jobid'), `${id}\n`)
      out.set(job.attemptId, id)
    })
    this.lastPoll = 0
    return out
  }

  private async findArrayElement(element: ArrayElement): Promise<string | undefined> {
    const text = await this.tool('squeue', ['-h', '-r', '-n', element.name, '-o', '%i|%K'])
    for (const line of text.split('\n')) {
      const [id, index] = line.trim().split('|')
      if (id && index === String(element.index)) return id
    }
    return undefined
  }

  private resourceArgs(job: JobSpec): string[] {
    const account = this.accountOf(job)
    return [
      ...(account ? [`--uid=${account.name}`, `--gid=${account.gid}`] : []),
      '--export=NONE',
      `--chdir=${job.workdir}`,
      `--cpus-per-task=${job.cores}`,
      `--mem=${Math.max(1, Math.ceil(job.memoryMb))}M`,
      `--time=${Math.max(1, Math.ceil(job.walltimeS / 60))}`,
      ...(this.options.partition ? [`--partition=${this.options.partition}`] : []),
    ]
  }

  /** The attempt's job script: its environment, then the wrapper around its argv. */
  private writeJobScript(job: JobSpec, dir: string): string {
    mkdirSync(dir, { recursive: true })
    // With --export=NONE the job gets none of this process's environment: only the allow-list
    // of a confined job, what the task declares, and where its run folder is.
    const exports = Object.entries({
      ...jobEnvironment(job),
      CONTINUUM_RUN_DIR: dir,
    })
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
      .join('\n')
    const script = path.join(dir, 'job.sh')
    writeFileSync(
      script,
      // Which node ran it (the last one, after a requeue): for `workflow explain` and operators.
      `#!/bin/sh\n${exports}\nprintf '%s\\n' "$SLURMD_NODENAME" > "$CONTINUUM_RUN_DIR/node"\nexec /bin/sh -c ${shellQuote(wrapperScript)} continuum-task ${job.argv.map(shellQuote).join(' ')}\n`,
      { mode: 0o755 },
    )
    return script
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
      const seen = this.snapshot.get(this.snapshotKey(ref.attemptId))
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

  /** The job's name, or `<array name>#<index>` for an array element. */
  private snapshotKey(attemptId: string): string {
    const element = readArrayMarker(runFolder(this.options.root, attemptId))
    return element ? `${element.name}#${element.index}` : this.jobName(attemptId)
  }

  /** One squeue for all of this cluster's jobs named by us (array elements one line each). */
  private async refresh(): Promise<void> {
    const text = await this.tool('squeue', ['-h', '-r', '-o', '%j|%i|%T|%r|%K'])
    const next = new Map<string, { id: string; state: string; reason: string }>()
    for (const line of text.split('\n')) {
      const [name, id, state, reason, index] = line.split('|')
      if (name?.startsWith('cx-') && id && state) {
        const key = name.startsWith('cx-arr-') ? `${name}#${index ?? ''}` : name
        next.set(key, { id, state, reason: reason ?? '' })
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
    const dir = runFolder(this.options.root, ref.attemptId)
    if (readArrayMarker(dir)) {
      // Only this element, by its id: the array's name is shared by its siblings.
      const idFile = path.join(dir, 'jobid')
      const id = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : ref.externalId
      if (id) await this.tool('scancel', [id]).catch(() => undefined)
      return
    }
    await this.tool('scancel', ['-n', this.jobName(ref.attemptId)]).catch(() => undefined)
  }

  logs(ref: JobRef, maxBytes?: number): Promise<JobLogs> {
    return readLogs(runFolder(this.options.root, ref.attemptId), maxBytes)
  }
}
