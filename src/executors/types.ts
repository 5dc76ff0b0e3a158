/**
 * The one interface every compute backend implements. Jobs are named by their task attempt id,
 * so submission is idempotent: after a crash the engine asks for the status of an attempt whose
 * external id it never recorded, and the executor finds the job by that name.
 */

export interface JobSpec {
  /** Unique per task attempt; names the job and its run folder. */
  attemptId: string
  argv: string[]
  env: Record<string, string>
  /** Folder the command runs in. */
  workdir: string
  /** Input files (relative to workdir); a confined job sees their link targets read-only. */
  inputs?: string[] | undefined
  /**
   * Inputs a remote site fetches itself (an ARC CE stages them from the federation's URLs),
   * by the name the command reads them under. Local executors read `inputs` instead.
   */
  inputUrls?: Array<{ name: string; url: string }> | undefined
  cores: number
  memoryMb: number
  walltimeS: number
  /** The community the job runs for: which Unix account runs it (the site's `accounts`). */
  community?: string | null | undefined
  /** A container image to run the command in (`docker://alpine:3.19`); null or absent: none. */
  image?: string | null | undefined
  /**
   * What of a confined attempt's files is moved back into the workflow folder: these paths
   * (relative) and what is under them; absent, everything it made. A CWL task keeps only its
   * own folder, so it cannot replace the server's records (`.cwl/`) or another task's files.
   */
  keep?: string[] | undefined
}

export interface JobRef {
  attemptId: string
  externalId: string | null
}

/**
 * `unknown`: the backend never heard of this attempt (submit it again, it never ran);
 * `lost`: it was started but vanished without an exit status before running the command
 * (safe to run again under a new attempt).
 */
export const jobStates = ['queued', 'running', 'done', 'failed', 'unknown', 'lost'] as const
export type JobState = (typeof jobStates)[number]

export interface JobUsage {
  wallS: number
  cpuS: number
  startedAt: Date | null
}

export interface JobStatus {
  state: JobState
  exitCode: number | null
  reason: string | null
  externalId: string | null
  usage: JobUsage | null
}

export interface JobLogs {
  stdout: string
  stderr: string
}

export interface Executor {
  /** `local`, `slurm`, … */
  readonly kind: string
  /** Starts or queues the job; a second call for the same attempt does nothing new. */
  submit(job: JobSpec): Promise<{ externalId: string }>
  /**
   * Submits many jobs at once where the backend can do better than one by one (Slurm job
   * arrays); answers external ids by attempt id. Optional: the engine falls back to `submit`.
   */
  submitMany?(jobs: readonly JobSpec[]): Promise<Map<string, string>>
  /** Status of many jobs at once (one batch system query, not one per job), keyed by attempt id. */
  status(refs: readonly JobRef[]): Promise<Map<string, JobStatus>>
  /** Stops the job and everything it started; a finished or unknown job is not an error. */
  cancel(ref: JobRef): Promise<void>
  logs(ref: JobRef, maxBytes?: number): Promise<JobLogs>
  /**
   * Whether the site reads federation inputs by URL (`JobSpec.inputUrls`: a CE that stages them
   * itself) rather than from the links staging puts in the work folder.
   */
  readonly readsInputsByUrl?: boolean
  /** How many jobs this executor wants in flight at most (the engine dispatches no more). */
  readonly maxInFlight: number
  /**
   * Calls `listener` when one of its jobs ends, so that the engine looks now rather than at its
   * next idle round. Optional: executors that learn of endings only by polling have none.
   */
  onJobEnded?(listener: () => void): void
  /**
   * This process lets go of the executor (its site was changed or removed): it takes no more
   * jobs, and what it holds for them (the local launcher) ends once their jobs have ended.
   * Jobs already started are read from their run folders by whichever executor asks next.
   */
  release?(): void
}
