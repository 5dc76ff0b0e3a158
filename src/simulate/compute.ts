/**
 * Workflows on the virtual clock. Arriving tasks are placed by the Run face's broker
 * (`placeTask`, with `localityFrom` for data locality and the scenario's allocations as the
 * candidates' per-community core-hours, exactly the fields the catalogue fills in), queue at the
 * chosen site, start when cores are free and hold them for their walltime. Tasks of one
 * workflow arriving in one step are placed in a few batches (one broker decision each).
 */
import type { Scenario } from '../contract/index.js'
import {
  localityFrom,
  matchSites,
  placeTask,
  type ComputeCandidate,
  type InputLocations,
} from '../workflows/index.js'
import type { AllocationState } from './allocations.js'
import type { SimSite } from './world.js'

type Workflow = NonNullable<Scenario['communities'][number]['workflows']>[number]

interface TaskBatch {
  workflow: string
  community: string
  n: number
  cores: number
  walltimeH: number
  arrivalHour: number
}

interface Running {
  n: number
  cores: number
  endHour: number
}

export interface SiteCompute {
  site: SimSite
  candidate: ComputeCandidate
  queue: TaskBatch[]
  running: Running[]
  runningCores: number
  queuedCores: number
}

export interface ComputeTotals {
  started: number
  queueHoursSum: number
  unplaced: number
  coreHours: number
  /** In the current sample. */
  sampleStarted: number
  sampleQueueHours: number
  firstUnplaced: { hour: number; workflow: string; summary: string } | null
}

const batchesPerStep = 4

export class ComputeModel {
  readonly sites: SiteCompute[]
  readonly totals: ComputeTotals = {
    started: 0,
    queueHoursSum: 0,
    unplaced: 0,
    coreHours: 0,
    sampleStarted: 0,
    sampleQueueHours: 0,
    firstUnplaced: null,
  }
  private readonly carry = new Map<string, number>()
  private readonly pins = new Map<string, Set<string> | null>()

  constructor(
    sites: readonly SimSite[],
    linksGbps: (from: string, to: string) => number,
    private readonly allocations: AllocationState,
  ) {
    this.sites = sites
      .filter((s) => s.cores > 0)
      .map((s) => ({
        site: s,
        queue: [],
        running: [],
        runningCores: 0,
        queuedCores: 0,
        candidate: {
          name: s.name,
          batchSystem: 'slurm',
          cores: s.cores,
          memoryPerCoreMb: 4096,
          accelerators: null,
          maxWalltimeS: null,
          interactive: false,
          containerRuntimes: ['apptainer'],
          energyGCo2PerKwh: s.gCo2PerKwh,
          wattsPerCore: s.wattsPerCore,
          attributes: { site: s.name, country: s.country, ...s.attributes },
          executor: { kind: 'local', config: {} },
          queued: 0,
          running: 0,
          allocationLeftCoreHours: null,
          service: s.name,
          siteName: s.name,
          linksGbps: new Map(
            sites
              .filter((o) => o !== s)
              .map((o) => [o.name.toLowerCase(), linksGbps(o.name, s.name)]),
          ),
        },
      }))
  }

  private pinned(w: Workflow): Set<string> | null {
    if (!w.sites) return null
    let set = this.pins.get(w.sites)
    if (set === undefined) {
      set = matchSites(
        w.sites,
        this.sites.map((s) => ({ name: s.site.name, attributes: s.candidate.attributes })),
      )
      this.pins.set(w.sites, set)
    }
    return set
  }

  /** Arrivals of one step, placed by the broker. */
  arrive(
    community: string,
    workflows: readonly Workflow[],
    hour: number,
    dtH: number,
    latest: string | undefined,
    locations: InputLocations,
  ): void {
    const candidates = this.sites.map((s) => s.candidate)
    for (const s of this.sites) {
      s.candidate.queued = s.queuedCores
      s.candidate.running = s.runningCores
      s.candidate.allocations = this.allocations.coreHoursAt(s.site.name, hour)
    }
    const locality = localityFrom(locations)
    for (const w of workflows) {
      const day = hour / 24
      if (day < (w.startDay ?? 0) || (w.endDay !== undefined && day >= w.endDay)) continue
      const key = `${community}/${w.name}`
      const due = (this.carry.get(key) ?? 0) + (w.tasksPerDay * dtH) / 24
      const n = Math.floor(due)
      this.carry.set(key, due - n)
      if (n === 0) continue
      const per = Math.ceil(n / batchesPerStep)
      for (let left = n; left > 0; left -= per) {
        const count = Math.min(per, left)
        const inputs = w.readsLatestData && latest ? [latest] : []
        const placement = placeTask(
          {
            name: w.name,
            community,
            cores: w.cores,
            memoryMb: w.cores * (w.memoryMbPerCore ?? 2000),
            walltimeS: w.walltimeHours * 3600,
            accelerators: null,
            image: null,
            inputs,
            pinned: this.pinned(w),
            excluded: null,
          },
          candidates,
          { locality, keep: 1 },
        )
        const at =
          placement.site === null
            ? undefined
            : this.sites.find((s) => s.site.name === placement.site)
        if (!at) {
          this.totals.unplaced += count
          this.totals.firstUnplaced ??= { hour, workflow: key, summary: placement.summary }
          continue
        }
        at.queue.push({
          workflow: key,
          community,
          n: count,
          cores: w.cores,
          walltimeH: w.walltimeHours,
          arrivalHour: hour,
        })
        at.queuedCores += count * w.cores
        at.candidate.queued = at.queuedCores
      }
    }
  }

  /** Ends what is due, starts what fits; returns the core-hours run in the step and their kWh. */
  run(hour: number, dtH: number): { coreHours: number; kwh: number } {
    let coreHours = 0
    let kwh = 0
    for (const s of this.sites) {
      if (s.running.length > 0) {
        const still: Running[] = []
        for (const r of s.running) {
          if (r.endHour <= hour) s.runningCores -= r.n * r.cores
          else still.push(r)
        }
        s.running = still
      }
      let free = s.site.cores - s.runningCores
      while (s.queue.length > 0 && free > 0) {
        const head = s.queue[0]!
        const k = Math.min(head.n, Math.floor(free / head.cores))
        if (k === 0) break
        head.n -= k
        free -= k * head.cores
        s.runningCores += k * head.cores
        s.queuedCores -= k * head.cores
        s.running.push({ n: k, cores: head.cores, endHour: hour + head.walltimeH })
        this.totals.started += k
        this.totals.sampleStarted += k
        this.totals.queueHoursSum += k * (hour - head.arrivalHour)
        this.totals.sampleQueueHours += k * (hour - head.arrivalHour)
        this.allocations.charge(head.community, s.site.name, hour, k * head.cores * head.walltimeH)
        if (head.n === 0) s.queue.shift()
      }
      coreHours += s.runningCores * dtH
      kwh += (s.runningCores * dtH * s.site.wattsPerCore) / 1000
    }
    this.totals.coreHours += coreHours
    return { coreHours, kwh }
  }

  queuedTasks(): number {
    let n = 0
    for (const s of this.sites) for (const b of s.queue) n += b.n
    return n
  }

  runningTasks(): number {
    let n = 0
    for (const s of this.sites) for (const r of s.running) n += r.n
    return n
  }
}
