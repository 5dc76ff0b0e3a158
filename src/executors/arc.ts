/**
 * Runs task attempts on an ARC CE (A-REX) through its REST interface, as DIRAC and ATLAS's
 * ARC control tower do for WLCG and NorduGrid sites: one xRSL description per attempt, inputs
 * given as URLs that the CE stages itself (or uploaded into the job's session folder when they
 * are only here), status and info of every watched job in one call each, and the session
 * folder brought back into the workflow's folder once the job ends — where the engine's
 * stage-out checksums and registers the outputs as for any other site — then cleaned on the CE.
 *
 * What makes it exactly-once across crashes is this process's own record per attempt, in
 * `<root>/<attempt>/`: `submitting` is written before the CE is asked, `arc.json` (the CE's job
 * id) right after, `final.json` once the outputs are here. An attempt with `submitting` but no
 * id is looked for on the CE by its job name (the attempt id) before anything is submitted
 * again; a finished attempt answers from `final.json` even after the CE forgot the job.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'
import { ArcRestClient, type ArcCredentials, type ArcJobAnswer } from './arc-rest.js'
import { bringBack, safeRelative, tailOf } from './arc-session.js'
import { findJobsByName } from './arc-recovery.js'
import { commandFile, xrslFor, xrslMany } from './arc-xrsl.js'
import { exitReason, runFolder } from './run-folder.js'
import type { Executor, JobLogs, JobRef, JobSpec, JobState, JobStatus } from './types.js'

export interface ArcExecutorOptions {
  /** The CE's REST base, `https://ce.example.org:443/arex`. */
  endpoint: string
  credentials: ArcCredentials
  /** This process's records per attempt, and the jobs' logs once they end. */
  root: string
  queue?: string
  maxInFlight?: number
  /** Most bytes brought back from one job's session folder. */
  maxOutputBytes?: number
  /** Deadline of each call to the CE. */
  timeoutMs?: number
  /** Only to ask the CE about itself (a binding's check): no records are kept. */
  probeOnly?: boolean
  /**
   * After a crash, how long an attempt asked for moments ago may stay unseen before it is taken
   * as never submitted (A-REX lists new jobs at its next scan), and how long beyond that to wait
   * for jobs the CE lists without a name.
   */
  settleMs?: number
  identifyMs?: number
}

/** What an attempt's submission will need after a crash, written before the CE is asked. */
interface Planned {
  workdir: string
  /** Input names, not brought back as outputs. */
  inputs: string[]
  /** Inputs this process sends into the session folder. */
  uploads: string[]
}

interface Submitted extends Planned {
  jobId: string
  uploaded: boolean
}

/** A-REX's REST states (`arcrest:` in GLUE2) while a job is not over. */
const activeStates: Record<string, 'queued' | 'running'> = {
  ACCEPTING: 'queued',
  ACCEPTED: 'queued',
  PREPARING: 'queued',
  PREPARED: 'queued',
  SUBMITTING: 'queued',
  QUEUING: 'queued',
  HELD: 'queued',
  RUNNING: 'running',
  EXITINGLRMS: 'running',
  EXECUTED: 'running',
  // Outputs are being kept: not ours to fetch yet.
  FINISHING: 'running',
  KILLING: 'running',
  OTHER: 'running',
}
const endStates = new Set(['FINISHED', 'FAILED', 'KILLED'])
/** Jobs per bulk call: A-REX answers a thousand in well under a second. */
const chunk = 500
const defaultMaxOutputBytes = 4 * 1024 * 1024 * 1024

export class ArcExecutor implements Executor {
  readonly kind = 'arc'
  readonly readsInputsByUrl = true
  readonly maxInFlight: number
  readonly client: ArcRestClient
  private readonly settleMs: number
  private readonly identifyMs: number

  constructor(private readonly options: ArcExecutorOptions) {
    if (!options.probeOnly) mkdirSync(options.root, { recursive: true, mode: 0o700 })
    this.maxInFlight = options.maxInFlight ?? 200
    this.settleMs = options.settleMs ?? 30_000
    this.identifyMs = options.identifyMs ?? 60_000
    this.client = new ArcRestClient(options.endpoint, options.credentials, options.timeoutMs)
  }

  async submit(job: JobSpec): Promise<{ externalId: string }> {
    const ids = await this.submitMany([job])
    return { externalId: ids.get(job.attemptId) as string }
  }

  /** One xRSL multi-request for every attempt not yet on the CE. */
  async submitMany(jobs: readonly JobSpec[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    const fresh: JobSpec[] = []
    const unsure: JobSpec[] = []
    for (const job of jobs) {
      const record = this.record(job.attemptId)
      if (record) {
        if (!record.uploaded) await this.upload(job.attemptId, record)
        out.set(job.attemptId, record.jobId)
      } else if (existsSync(this.file(job.attemptId, 'submitting'))) {
        unsure.push(job)
      } else {
        fresh.push(job)
      }
    }
    // A crash between asking the CE and writing its answer: find those jobs by name first.
    if (unsure.length > 0) {
      const found = await this.findByName(unsure.map((j) => j.attemptId))
      for (const job of unsure) {
        const jobId = found.get(job.attemptId)
        if (jobId) out.set(job.attemptId, (await this.recordSubmitted(job.attemptId, jobId)).jobId)
        else fresh.push(job)
      }
    }
    for (let i = 0; i < fresh.length; i += chunk) {
      const part = fresh.slice(i, i + chunk)
      const descriptions = part.map((job) => {
        const plan = inputPlan(job)
        mkdirSync(this.dir(job.attemptId), { recursive: true, mode: 0o700 })
        const planned: Planned = {
          workdir: job.workdir,
          inputs: [...plan.inputUrls.map((i) => i.name), ...plan.uploads],
          uploads: plan.uploads,
        }
        writeFileSync(this.file(job.attemptId, 'submitting'), JSON.stringify(planned), {
          mode: 0o600,
        })
        return xrslFor(job, { ...plan, queue: this.options.queue })
      })
      const answers = await this.client.submit(xrslMany(descriptions))
      if (answers.length !== part.length) {
        throw new ContinuumError(
          'EXECUTOR_UNAVAILABLE',
          `ARC CE answered ${answers.length} jobs for ${part.length} descriptions`,
          {},
        )
      }
      for (const [k, job] of part.entries()) {
        const answer = answers[k] as ArcJobAnswer
        if (answer.status !== 201 || !answer.id) {
          throw new ContinuumError(
            'EXECUTOR_UNAVAILABLE',
            `ARC CE refused task attempt ${job.attemptId}: ${answer.reason}`,
            { attemptId: job.attemptId, status: answer.status },
          )
        }
        const record = await this.recordSubmitted(job.attemptId, answer.id)
        out.set(job.attemptId, record.jobId)
      }
    }
    return out
  }

  async status(refs: readonly JobRef[]): Promise<Map<string, JobStatus>> {
    const out = new Map<string, JobStatus>()
    const watched = new Map<string, { ref: JobRef; record: Submitted }>()
    const unsure: string[] = []
    for (const ref of refs) {
      const final = this.finalStatus(ref.attemptId)
      if (final) out.set(ref.attemptId, final)
      else {
        const record = this.record(ref.attemptId)
        if (record) watched.set(record.jobId, { ref, record })
        else if (existsSync(this.file(ref.attemptId, 'submitting'))) unsure.push(ref.attemptId)
        else out.set(ref.attemptId, simple('unknown', null, null))
      }
    }
    if (unsure.length > 0) {
      const found = await this.findByName(unsure)
      for (const attemptId of unsure) {
        const jobId = found.get(attemptId)
        // Asked, but the CE never took it: the engine submits it again.
        if (!jobId) {
          out.set(attemptId, simple('unknown', null, null))
        } else {
          const record = await this.recordSubmitted(attemptId, jobId)
          out.set(attemptId, simple('queued', null, record.jobId))
        }
      }
    }
    const ended: Array<{ ref: JobRef; record: Submitted; state: string }> = []
    const ids = [...watched.keys()]
    for (let i = 0; i < ids.length; i += chunk) {
      for (const answer of await this.client.status(ids.slice(i, i + chunk))) {
        const w = watched.get(answer.id)
        if (!w) continue
        if (answer.status === 404) {
          out.set(w.ref.attemptId, simple('lost', 'the CE no longer knows the job', answer.id))
        } else if (answer.state && endStates.has(answer.state)) {
          ended.push({ ...w, state: answer.state })
        } else if (answer.state === 'WIPED') {
          out.set(w.ref.attemptId, simple('lost', 'the CE wiped the job', answer.id))
        } else {
          out.set(
            w.ref.attemptId,
            simple(activeStates[answer.state ?? ''] ?? 'running', null, answer.id),
          )
        }
      }
    }
    for (let i = 0; i < ended.length; i += chunk) {
      const part = ended.slice(i, i + chunk)
      const infos = new Map(
        (await this.client.info(part.map((e) => e.record.jobId))).map((a) => [a.id, a.info]),
      )
      for (const e of part) {
        const activity = (infos.get(e.record.jobId)?.ComputingActivity ?? {}) as Record<
          string,
          unknown
        >
        out.set(e.ref.attemptId, await this.collect(e.ref.attemptId, e.record, e.state, activity))
      }
    }
    return out
  }

  async cancel(ref: JobRef): Promise<void> {
    const record = this.record(ref.attemptId)
    if (!record || this.finalStatus(ref.attemptId)) return
    await this.client.kill([record.jobId])
  }

  async logs(ref: JobRef, maxBytes = 1024 * 1024): Promise<JobLogs> {
    const dir = this.dir(ref.attemptId)
    if (existsSync(path.join(dir, 'final.json'))) {
      return {
        stdout: await tailOf(path.join(dir, 'stdout'), maxBytes),
        stderr: await tailOf(path.join(dir, 'stderr'), maxBytes),
      }
    }
    const record = this.record(ref.attemptId)
    if (!record) return { stdout: '', stderr: '' }
    return {
      stdout: await this.client.readText(record.jobId, 'stdout', maxBytes).catch(() => ''),
      stderr: await this.client.readText(record.jobId, 'stderr', maxBytes).catch(() => ''),
    }
  }

  close(): void {
    this.client.close()
  }

  /** Inputs only this process has go up into the session folder; A-REX waits for them. */
  private async upload(attemptId: string, record: Submitted): Promise<void> {
    for (const name of record.uploads) {
      const source = path.join(record.workdir, name)
      await this.client.upload(record.jobId, name, await readFile(source))
    }
    record.uploaded = true
    this.writeRecord(attemptId, record)
  }

  /** The CE has the job: keep its id with what `submitting` planned, then send local inputs. */
  private async recordSubmitted(attemptId: string, jobId: string): Promise<Submitted> {
    const planned = JSON.parse(readFileSync(this.file(attemptId, 'submitting'), 'utf8')) as Planned
    const record: Submitted = { ...planned, jobId, uploaded: planned.uploads.length === 0 }
    this.writeRecord(attemptId, record)
    if (!record.uploaded) await this.upload(attemptId, record)
    return record
  }

  /** Finds jobs on the CE by their name, patiently (see arc-recovery.ts): only after a crash. */
  private findByName(attemptIds: readonly string[]): Promise<Map<string, string>> {
    const settledAt = Math.max(
      ...attemptIds.map((a) => statSync(this.file(a, 'submitting')).mtimeMs + this.settleMs),
    )
    return findJobsByName(this.client, attemptIds, settledAt, this.identifyMs)
  }

  /**
   * Brings the ended job's session folder here — its files into the workflow's folder, its
   * logs into the attempt's — records the outcome, then lets the CE forget the job.
   */
  private async collect(
    attemptId: string,
    record: Submitted,
    state: string,
    activity: Record<string, unknown>,
  ): Promise<JobStatus> {
    const exitCode = numberOr(activity.ExitCode, state === 'FINISHED' ? 0 : null)
    const errors = asList(activity.Error).join('; ')
    let failure: string | null = null
    if (state === 'KILLED') failure = 'cancelled on the CE'
    // The command's own exit code says more than A-REX's "LRMS error: (3) … 3 != 0".
    else if (exitCode !== null && exitCode !== 0) failure = exitReason(exitCode)
    else if (state === 'FAILED') failure = errors || 'the CE reports the job failed'
    else if (exitCode === null) failure = 'the CE reports no exit code'
    try {
      await bringBack(this.client, record.jobId, {
        workdir: record.workdir,
        logsDir: this.dir(attemptId),
        skip: new Set([...record.inputs, commandFile]),
        maxBytes: this.options.maxOutputBytes ?? defaultMaxOutputBytes,
      })
    } catch (err) {
      failure ??= `outputs could not be brought back: ${(err as Error).message}`
    }
    const started = typeof activity.StartTime === 'string' ? new Date(activity.StartTime) : null
    const status: JobStatus = {
      state: failure === null ? 'done' : 'failed',
      exitCode,
      reason: failure,
      externalId: record.jobId,
      usage: {
        wallS: numberOr(activity.UsedTotalWallTime, 0) ?? 0,
        cpuS: numberOr(activity.UsedTotalCPUTime, 0) ?? 0,
        startedAt: started && !Number.isNaN(started.getTime()) ? started : null,
      },
    }
    const finalFile = this.file(attemptId, 'final.json')
    writeFileSync(`${finalFile}.tmp`, JSON.stringify(status), { mode: 0o600 })
    renameSync(`${finalFile}.tmp`, finalFile)
    // Kept until here so that a crash before final.json can fetch again; then free the CE.
    await this.client.clean([record.jobId]).catch(() => undefined)
    return status
  }

  private dir(attemptId: string): string {
    return runFolder(this.options.root, attemptId)
  }

  private file(attemptId: string, name: string): string {
    return path.join(this.dir(attemptId), name)
  }

  private record(attemptId: string): Submitted | undefined {
    try {
      return JSON.parse(readFileSync(this.file(attemptId, 'arc.json'), 'utf8')) as Submitted
    } catch {
      return undefined
    }
  }

  private writeRecord(attemptId: string, record: Submitted): void {
    const file = this.file(attemptId, 'arc.json')
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 })
    renameSync(`${file}.tmp`, file)
  }

  private finalStatus(attemptId: string): JobStatus | undefined {
    try {
      const s = JSON.parse(readFileSync(this.file(attemptId, 'final.json'), 'utf8')) as JobStatus
      if (s.usage?.startedAt) s.usage.startedAt = new Date(s.usage.startedAt)
      return s
    } catch {
      return undefined
    }
  }
}

/** Inputs the CE fetches by URL, and local ones (files in the workflow's folder) to upload. */
function inputPlan(job: JobSpec): {
  inputUrls: Array<{ name: string; url: string }>
  uploads: string[]
} {
  const inputUrls = [...(job.inputUrls ?? [])]
  const byUrl = new Set(inputUrls.map((i) => i.name))
  const uploads = (job.inputs ?? []).filter((name) => !byUrl.has(name))
  for (const name of [...byUrl, ...uploads]) safeRelative(name)
  return { inputUrls, uploads }
}

function simple(state: JobState, reason: string | null, externalId: string | null): JobStatus {
  return { state, exitCode: null, reason, externalId, usage: null }
}

function numberOr(value: unknown, fallback: number | null): number | null {
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN
  return Number.isFinite(n) ? n : fallback
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}
