/**
 * What the engine keeps in memory about a task it is watching, and the conversions from it to
 * the executor's job spec, the broker's task and the usage record.
 */
import type { Context } from '../db/index.js'
import type { Executor, JobRef, JobSpec, JobStatus } from '../executors/index.js'
import type { BrokerOptions, BrokerTask, ComputeCandidate } from './broker.js'
import { matchSites } from './site-expression.js'
import type { Staging } from './staging.js'
import type { ClaimedTask } from './task-leases-store.js'
import type { TaskSpec } from './types.js'
import type { NewUsageRecord } from './usage-store.js'
import { listDependencyOutputs } from './workflows-store.js'

export interface Tracked {
  id: string
  workflowId: string
  name: string
  state: string
  attempt: number
  maxRetries: number
  backoffS: number
  attemptId: string
  externalId: string | null
  site: string
  spec: TaskSpec
  community: string | null
  owner: string | null
  workdir: string
  outputScope: string | null
  outputRule: string | null
}

export function toTracked(row: ClaimedTask, site: string, attemptId: string): Tracked {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    name: row.name,
    state: row.state,
    attempt: row.attempt,
    maxRetries: row.max_retries,
    backoffS: row.backoff_s,
    attemptId,
    externalId: row.external_id,
    site,
    spec: row.spec as TaskSpec,
    community: row.community,
    owner: row.owner,
    workdir: row.workdir,
    outputScope: row.output_scope,
    outputRule: row.output_rule,
  }
}

export function brokerTask(
  row: ClaimedTask,
  spec: TaskSpec,
  sites: ComputeCandidate[],
): BrokerTask {
  return {
    name: row.name,
    community: row.community,
    owner: row.owner,
    environment: spec.environment,
    cores: spec.resources.cores,
    memoryMb: spec.resources.memoryMb,
    walltimeS: spec.resources.walltimeS,
    accelerators: spec.resources.accelerators,
    image: spec.image,
    inputs: spec.inputs,
    pinned: spec.site === null ? null : matchSites(spec.site, sites),
    excluded: spec.exclude === null ? null : matchSites(spec.exclude, sites),
  }
}

export function jobSpec(t: Tracked): JobSpec {
  const r = t.spec.resources
  return {
    attemptId: t.attemptId,
    argv: t.spec.argv,
    env: t.spec.env,
    workdir: t.workdir,
    // Staged-in inputs are links into local storage: a confined job is shown their targets.
    // A file from the federation is linked under its name (the part after `scope:`).
    inputs: t.spec.inputs.map(localName),
    cores: r.cores,
    memoryMb: r.memoryMb,
    walltimeS: r.walltimeS,
    image: t.spec.image,
    community: t.community,
    // A CWL task leaves only its own folder behind; the registering task nothing.
    ...(t.spec.cwl ? { keep: [`cwl/${t.spec.cwl.dir}`] } : {}),
    ...(t.spec.cwlRegister ? { keep: [] } : {}),
  }
}

/** The name a federation file has in the workflow folder: the part after `scope:`. */
function localName(item: string): string {
  return item.startsWith('did:') ? item.slice(item.indexOf(':', 4) + 1) : item
}

export function refOf(t: Tracked): JobRef {
  return { attemptId: t.attemptId, externalId: t.externalId }
}

export function sitesByName(sites: ComputeCandidate[]): Map<string, ComputeCandidate> {
  return new Map(sites.map((s) => [s.name, s]))
}

export function usageRecord(
  t: Tracked,
  site: ComputeCandidate,
  status: JobStatus,
  now: Date,
): NewUsageRecord {
  const wallS = status.usage?.wallS ?? 0
  const cores = t.spec.resources.cores
  return {
    task_id: t.id,
    workflow_id: t.workflowId,
    attempt: t.attempt,
    community: t.community,
    owner: t.owner,
    site: site.name,
    batch_system: site.batchSystem,
    cores,
    memory_mb: t.spec.resources.memoryMb,
    wall_s: wallS,
    cpu_s: status.usage?.cpuS ?? 0,
    energy_kwh: (cores * site.wattsPerCore * wallS) / 3600 / 1000,
    state: status.state,
    started_at: status.usage?.startedAt ?? null,
    finished_at: now,
    // Charged to the allocation it ran under, as the site's balance named it this round.
    allocation: site.allocationCharges?.get(t.community ?? '')?.allocation ?? null,
    accelerators: t.spec.resources.accelerators?.count ?? 0,
  }
}

/** What the engine's steps share: the database, this worker's identity and its watched tasks. */
export interface EngineScope {
  ctx: Context
  workerId: string
  tracked: Map<string, Tracked>
  staging: Staging
  brokerOptions: BrokerOptions
  leaseUntil(): Date
}

/**
 * The job as a given executor takes it: a site that stages its own inputs (an ARC CE) is also
 * given the federation's URLs of them, a copy near the site first.
 */
export async function jobSpecFor(
  scope: EngineScope,
  t: Tracked,
  site: ComputeCandidate,
  executor: Executor,
  /** The dependencies' outputs by task, when the caller read them for many tasks at once. */
  dependencyOutputs?: ReadonlyMap<string, string[]>,
): Promise<JobSpec> {
  let spec = jobSpec(t)
  // A task sees the files the tasks it needs declared as outputs, besides its own inputs.
  if (t.spec.needs.length > 0) {
    const made = (
      dependencyOutputs
        ? (dependencyOutputs.get(t.id) ?? [])
        : await listDependencyOutputs(scope.ctx.db, t.id)
    ).map(localName)
    spec = { ...spec, inputs: [...new Set([...(spec.inputs ?? []), ...made])] }
  }
  if (!executor.readsInputsByUrl || !scope.staging.inputUrls) return spec
  const inputUrls = await scope.staging.inputUrls({
    workflowId: t.workflowId,
    taskName: t.name,
    site: t.site,
    siteName: site.siteName ?? null,
    nearEndpoints: site.nearEndpoints ?? [],
    workdir: t.workdir,
    inputs: t.spec.inputs,
    owner: t.owner,
    community: t.community,
  })
  return inputUrls.length > 0 ? { ...spec, inputUrls } : spec
}
