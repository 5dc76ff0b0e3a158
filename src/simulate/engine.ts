/**
 * The simulator's loop on a virtual clock (platform's ManualClock): ingest makes datasets at
 * their sites; each community's rules place copies with the rule engine's own candidates and
 * choice (`placementCandidates`, `chooseEndpoints`); copies queue on links and move by the
 * scheduler's decisions (transfers.ts); tasks are brokered (compute.ts); a sample every
 * `sampleHours` feeds the report. Deterministic: the same scenario gives the same report.
 */
import type { Bottleneck, Endpoint, Scenario, SimulationReport } from '../contract/index.js'
import { anySource, chooseEndpoints, chooseSource, placementCandidates } from '../data/index.js'
import { ContinuumError, ManualClock } from '../platform/index.js'
import { AllocationState } from './allocations.js'
import { bottleneck } from './bottleneck.js'
import { ComputeModel } from './compute.js'
import { Recorder } from './recorder.js'
import { stepTransfers } from './transfers.js'
import {
  TB,
  buildLinks,
  buildSites,
  diskId,
  endpointsOf,
  isTape,
  siteOf,
  type Dataset,
  type SimLink,
  type SimSite,
  type TransferRequest,
} from './world.js'

type Community = Scenario['communities'][number]
type Rule = NonNullable<Community['rules']>[number]

/** Step and sample lengths that keep a run short for its span, unless the scenario says. */
export function defaultStepMinutes(days: number): number {
  return days <= 2 ? 2 : days <= 31 ? 15 : 60
}
function defaultSampleHours(days: number): number {
  return days <= 2 ? 0.5 : days <= 31 ? 6 : 24
}

interface Expiry {
  hour: number
  dataset: Dataset
  endpoint: string
}

export class Simulation {
  readonly clock: ManualClock
  readonly sites: SimSite[]
  readonly siteByName: Map<string, SimSite>
  readonly links: Map<string, SimLink>
  readonly allocations: AllocationState
  readonly compute: ComputeModel
  readonly recorder: Recorder
  readonly bottlenecks: Bottleneck[] = []
  readonly dtH: number
  readonly steps: number
  private readonly shares: Map<string, number>
  private readonly latest = new Map<string, Dataset>()
  private readonly locations = new Map<string, { bytes: number; sites: string[] }>()
  private readonly ingestCarry = new Map<string, { bytes: number; hours: number }>()
  private expiries: Expiry[] = []
  private nextId = 0
  hour = 0
  datasets = 0
  totals = {
    ingestedBytes: 0,
    ingestedFiles: 0,
    replicatedBytes: 0,
    replicatedFiles: 0,
    unplacedBytes: 0,
    movedBytes: 0,
    lastCopyHour: 0,
    copiesQueued: 0,
    kwh: { compute: 0, storage: 0, network: 0 },
  }
  private readonly storageFull = new Set<string>()
  /** Bytes each community holds per site (disk and tape), for allocations' disk burn-down. */
  private readonly held = new Map<string, Map<string, number>>()

  private hold(community: string, endpoint: string, bytes: number): void {
    let m = this.held.get(community)
    if (!m) this.held.set(community, (m = new Map<string, number>()))
    const site = siteOf(endpoint)
    m.set(site, (m.get(site) ?? 0) + bytes)
  }

  communityBytesOn(community: string, sites: ReadonlySet<string>): number {
    let n = 0
    for (const [site, bytes] of this.held.get(community) ?? []) if (sites.has(site)) n += bytes
    return n
  }

  constructor(readonly scenario: Scenario) {
    this.clock = new ManualClock(scenario.start ?? '2026-01-01T00:00:00Z')
    this.sites = buildSites(scenario)
    this.siteByName = new Map(this.sites.map((s) => [s.name, s]))
    this.links = buildLinks(scenario)
    this.allocations = new AllocationState(scenario, this.sites)
    this.compute = new ComputeModel(
      this.sites,
      (a, b) => (this.links.get(`${a}|${b}`)?.bps ?? 0) / 1e9,
      this.allocations,
    )
    this.shares = new Map(scenario.communities.map((c) => [c.name, c.share ?? 1]))
    this.dtH = (scenario.stepMinutes ?? defaultStepMinutes(scenario.days)) / 60
    this.steps = Math.ceil((scenario.days * 24) / this.dtH - 1e-9)
    const sampleH = Math.max(this.dtH, scenario.sampleHours ?? defaultSampleHours(scenario.days))
    this.recorder = new Recorder(this, sampleH)
    if (this.steps > 2_000_000) {
      throw new ContinuumError('SCENARIO_INVALID', 'too many steps: raise stepMinutes', {
        errors: [{ field: 'stepMinutes', message: `${this.steps} steps; at most 2,000,000` }],
      })
    }
  }

  siteDown(site: string, hour = this.hour): boolean {
    return (this.scenario.outages ?? []).some(
      (o) => o.site === site && hour >= o.startHour && hour < o.startHour + o.hours,
    )
  }

  linkDown(from: string, to: string, hour = this.hour): boolean {
    return (this.scenario.outages ?? []).some(
      (o) =>
        o.link?.from === from &&
        o.link.to === to &&
        hour >= o.startHour &&
        hour < o.startHour + o.hours,
    )
  }

  private downSites(): Set<string> {
    return new Set(this.sites.filter((s) => this.siteDown(s.name)).map((s) => s.name))
  }

  run(): void {
    for (let step = 0; step < this.steps; step++) this.step()
    this.recorder.finish()
  }

  step(): void {
    const dtH = this.dtH
    this.expire()
    for (const c of this.scenario.communities) this.ingest(c, dtH)
    const moved = stepTransfers(this.links.values(), this.siteByName, {
      dtS: dtH * 3600,
      now: this.clock.now(),
      shares: this.shares,
      siteDown: (s) => this.siteDown(s),
      linkDown: (a, b) => this.linkDown(a, b),
    })
    this.totals.movedBytes += moved.movedBytes
    for (const r of moved.finished) this.arrived(r)
    for (const c of this.scenario.communities) {
      if (!c.workflows?.length) continue
      this.compute.arrive(
        c.name,
        c.workflows,
        this.hour,
        dtH,
        this.latest.get(c.name)?.key,
        this.locations,
      )
    }
    const ran = this.compute.run(this.hour, dtH)
    const energy = this.scenario.energy
    let storedTB = 0
    for (const s of this.sites) storedTB += (s.usedDisk + s.usedTape) / TB
    this.totals.kwh.compute += ran.kwh
    this.totals.kwh.storage += (storedTB * (energy?.diskWattsPerTB ?? 1) * dtH) / 1000
    this.totals.kwh.network += (moved.movedBytes / TB) * (energy?.transferKwhPerTB ?? 2)
    this.hour += dtH
    this.clock.advance(dtH * 3_600_000)
    this.recorder.maybeSample()
  }

  /** Storage bottleneck once per endpoint: the first time something does not fit there. */
  private full(endpoint: string, bytes: number, why: string): void {
    this.totals.unplacedBytes += bytes
    if (this.storageFull.has(endpoint)) return
    this.storageFull.add(endpoint)
    const site = siteOf(endpoint)
    const media = isTape(endpoint) ? 'tape' : 'disk'
    this.bottlenecks.push(
      bottleneck(
        'storage-full',
        this.clock.now(),
        this.hour,
        `${site} (${media})`,
        `${site}'s ${media} is full: ${why}`,
        {
          target: `storage:${site}`,
          change: `add ${media} at ${site} (or shorten the rules' lifetimes there): it ran out ${Math.round(this.hour / 24)} days in`,
          requirement: media === 'tape' ? 'data.tapePB' : 'data.storedPB',
        },
      ),
    )
  }

  private free(endpoint: string): number {
    const s = this.siteByName.get(siteOf(endpoint))!
    return isTape(endpoint)
      ? s.tapeBytes - s.usedTape - s.incomingTape
      : s.diskBytes - s.usedDisk - s.incomingDisk
  }

  private use(endpoint: string, bytes: number, incoming: boolean): void {
    const s = this.siteByName.get(siteOf(endpoint))!
    if (isTape(endpoint)) {
      if (incoming) s.incomingTape += bytes
      else s.usedTape += bytes
    } else if (incoming) s.incomingDisk += bytes
    else s.usedDisk += bytes
  }

  private ingest(c: Community, dtH: number): void {
    c.ingest?.forEach((g, i) => {
      const key = `${c.name}/${i}`
      const meanFile = g.meanFileMB * 1e6
      const make = (bytes: number) => {
        const files = Math.max(1, Math.round(bytes / Math.max(1, meanFile)))
        this.newDataset(c, g.site, bytes, files, g.lifetimeDays)
      }
      if (this.hour === 0 && (g.initialTB ?? 0) > 0) {
        const parts = g.initialDatasets ?? 100
        for (let k = 0; k < parts; k++) make(((g.initialTB ?? 0) * TB) / parts)
      }
      const day = this.hour / 24
      if (!g.tbPerDay || day < (g.startDay ?? 0) || (g.endDay !== undefined && day >= g.endDay)) {
        return
      }
      const carry = this.ingestCarry.get(key) ?? { bytes: 0, hours: 0 }
      carry.bytes += (g.tbPerDay * TB * dtH) / 24
      carry.hours += dtH
      // While the ingest site is down the instrument buffers: the data lands when it is back.
      if (!this.siteDown(g.site) && carry.hours >= (g.datasetHours ?? Math.max(1, dtH)) - 1e-9) {
        make(carry.bytes)
        carry.bytes = 0
        carry.hours = 0
      }
      this.ingestCarry.set(key, carry)
    })
  }

  private newDataset(
    c: Community,
    site: string,
    bytes: number,
    files: number,
    lifetimeDays: number | undefined,
  ): void {
    const endpoint = diskId(site)
    this.totals.ingestedBytes += bytes
    this.totals.ingestedFiles += files
    if (this.free(endpoint) < bytes || this.siteDown(site)) {
      this.full(
        endpoint,
        bytes,
        this.siteDown(site) ? `${site} is down while data arrives` : 'ingest does not fit',
      )
      return
    }
    const ds: Dataset = {
      key: `${c.name}:ds${++this.datasets}`,
      community: c.name,
      bytes,
      files,
      origin: site,
      holders: new Set([endpoint]),
      createdHour: this.hour,
    }
    this.use(endpoint, bytes, false)
    this.hold(c.name, endpoint, bytes)
    this.locations.set(ds.key, { bytes, sites: [site.toLowerCase()] })
    this.latest.set(c.name, ds)
    if (lifetimeDays !== undefined) {
      this.addExpiry({ hour: this.hour + lifetimeDays * 24, dataset: ds, endpoint })
    }
    for (const rule of c.rules ?? []) this.place(ds, rule)
  }

  /** The rule engine's decision for one dataset (dataset grouping), then its copies. */
  place(ds: Dataset, rule: Rule): string[] {
    const endpoints = endpointsOf(this.sites, this.downSites())
    let candidates
    try {
      candidates = placementCandidates(endpoints, {
        expression: rule.expression,
        weight: rule.weight ?? null,
      })
    } catch (err) {
      if (err instanceof ContinuumError && err.code === 'EXPRESSION_EMPTY') {
        throw new ContinuumError('SCENARIO_INVALID', err.message, {
          errors: [{ field: 'rules.expression', message: err.message }],
        })
      }
      throw err
    }
    const targets = chooseEndpoints(
      [{ key: ds.key, bytes: ds.bytes, holders: ds.holders }],
      candidates,
      rule.copies,
    )
    for (const target of targets) {
      if (ds.holders.has(target)) continue
      if (this.free(target) < ds.bytes) {
        this.full(target, ds.bytes, `a copy of ${ds.key} does not fit`)
        continue
      }
      this.use(target, ds.bytes, true)
      const destSite = siteOf(target)
      const request: TransferRequest = {
        id: `r${++this.nextId}`,
        dataset: ds,
        community: ds.community,
        activity: rule.activity ?? 'default',
        dest: target,
        destSite,
        bytes: ds.bytes,
        files: ds.files,
        remaining: ds.bytes,
        createdHour: this.hour,
        expiresHour: rule.lifetimeDays === undefined ? null : this.hour + rule.lifetimeDays * 24,
      }
      const source = this.sourceOf(ds, target, endpoints)
      if (source === destSite) {
        // Disk to tape at the same site: no wide-area transfer.
        this.arrived(request)
        continue
      }
      const link = this.links.get(`${source}|${destSite}`)!
      link.queue.push(request)
      link.queuedBytes += ds.bytes
      this.totals.copiesQueued++
    }
    return targets
  }

  /**
   * The site a copy reads from, chosen by the transfer sources' own rule (`chooseSource`: an
   * available replica on a readable endpoint other than the destination). A copy to tape at a
   * site that holds it on disk stays local. With no readable holder (all down) the copy waits
   * on the origin's link, as a request waits on its source.
   */
  private sourceOf(ds: Dataset, dest: string, endpoints: readonly Endpoint[]): string {
    const destSite = siteOf(dest)
    if ([...ds.holders].some((h) => siteOf(h) === destSite)) return destSite
    const source = chooseSource(
      [...ds.holders].map((endpoint_id) => ({ state: 'available', endpoint_id })),
      new Map(endpoints.map((e) => [e.id, e])),
      undefined,
      dest,
    )
    return source === anySource ? ds.origin : siteOf(source)
  }

  private arrived(r: TransferRequest): void {
    const s = this.siteByName.get(r.destSite)!
    if (isTape(r.dest)) {
      s.incomingTape -= r.bytes
      s.usedTape += r.bytes
    } else {
      s.incomingDisk -= r.bytes
      s.usedDisk += r.bytes
    }
    r.dataset.holders.add(r.dest)
    this.hold(r.community, r.dest, r.bytes)
    const loc = this.locations.get(r.dataset.key)
    if (loc && !loc.sites.includes(r.destSite.toLowerCase())) {
      loc.sites.push(r.destSite.toLowerCase())
    }
    this.totals.replicatedBytes += r.bytes
    this.totals.replicatedFiles += r.files
    this.totals.lastCopyHour = this.hour + this.dtH
    if (r.expiresHour !== null) {
      this.addExpiry({ hour: r.expiresHour, dataset: r.dataset, endpoint: r.dest })
    }
  }

  private addExpiry(e: Expiry): void {
    // Expiries arrive almost in order: insert from the end.
    let i = this.expiries.length
    while (i > 0 && this.expiries[i - 1]!.hour > e.hour) i--
    this.expiries.splice(i, 0, e)
  }

  private expire(): void {
    let n = 0
    while (n < this.expiries.length && this.expiries[n]!.hour <= this.hour) {
      const e = this.expiries[n++]!
      if (!e.dataset.holders.delete(e.endpoint)) continue
      const s = this.siteByName.get(siteOf(e.endpoint))!
      this.hold(e.dataset.community, e.endpoint, -e.dataset.bytes)
      if (isTape(e.endpoint)) s.usedTape -= e.dataset.bytes
      else s.usedDisk -= e.dataset.bytes
      const loc = this.locations.get(e.dataset.key)
      if (loc) {
        loc.sites = [...e.dataset.holders].map((h) => siteOf(h).toLowerCase())
        if (loc.sites.length === 0) this.locations.delete(e.dataset.key)
      }
    }
    if (n > 0) this.expiries = this.expiries.slice(n)
  }
}

/** Runs a scenario to its end and returns the report. */
export function simulate(scenario: Scenario): SimulationReport {
  const started = performance.now()
  const sim = new Simulation(scenario)
  sim.run()
  return sim.recorder.report(performance.now() - started)
}
