/**
 * Samples a running simulation into the report's series, spots bottlenecks as they appear
 * (a link whose backlog keeps growing, tasks waiting more than a day, tasks no site takes, an
 * allocation used up) and assembles the report.
 */
import type { SimulationReport } from '../contract/index.js'
import { bottleneck, linkAction } from './bottleneck.js'
import type { Simulation } from './engine.js'
import { TB, type SimLink } from './world.js'

const r2 = (n: number) => Math.round(n * 100) / 100
const r4 = (n: number) => Math.round(n * 10000) / 10000

interface LinkSeries {
  link: SimLink
  backlogTB: number[]
  throughputGbps: number[]
  activeLimit: number[]
}

/** Samples of a link backlog that must each grow before the link is named a bottleneck. */
const growingSamples = 3
/** Hours of queued copies left at the end that name their link a bottleneck. */
const drainHours = 6
/** Mean queue time (hours) that names the compute a bottleneck. */
const queueHoursLimit = 24

export class Recorder {
  readonly hours: number[] = []
  private readonly sites: Array<{ used: number[]; free: number[]; tape: number[]; cores: number[] }>
  private readonly links = new Map<SimLink, LinkSeries>()
  private readonly tasks = {
    queued: [] as number[],
    running: [] as number[],
    meanQueueHours: [] as number[],
    unplaced: [] as number[],
  }
  private readonly allocations: Array<{ left: number[]; disk: number[] }>
  private readonly energy: number[] = []
  private nextSample: number
  private peakBps = 0
  private readonly flagged = new Set<string>()

  constructor(
    private readonly sim: Simulation,
    private readonly sampleH: number,
  ) {
    this.nextSample = sampleH
    this.sites = sim.sites.map(() => ({ used: [], free: [], tape: [], cores: [] }))
    this.allocations = sim.allocations.list.map(() => ({ left: [], disk: [] }))
  }

  maybeSample(): void {
    if (this.sim.hour + 1e-9 < this.nextSample) return
    this.nextSample += this.sampleH
    this.sample()
  }

  finish(): void {
    if (this.hours.at(-1) !== r2(this.sim.hour)) this.sample()
    // Copies still queued at the end that would take more than drainHours at the link's last
    // rate (a fresh tail of steady ingest is no bottleneck): the worst such link held things up.
    let worst: LinkSeries | undefined
    let worstH = drainHours
    for (const s of this.links.values()) {
      const bps = Math.max(1, ...s.throughputGbps.slice(-4).map((g) => g * 1e9))
      const hours = (s.link.queuedBytes * 8) / bps / 3600
      if (s.link.queuedBytes > 0 && hours > worstH) {
        worst = s
        worstH = hours
      }
    }
    if (worst && !this.flagged.has(`link:${worst.link.from}|${worst.link.to}`)) {
      this.linkBottleneck(worst, 'copies were still queued when the scenario ended')
    }
  }

  private sample(): void {
    const sim = this.sim
    const spanS = this.sampleH * 3600
    this.hours.push(r2(sim.hour))
    const coresBySite = new Map(sim.compute.sites.map((c) => [c.site.name, c.runningCores]))
    sim.sites.forEach((s, i) => {
      const row = this.sites[i]!
      row.used.push(r4(s.usedDisk / TB))
      row.free.push(r4(Math.max(0, s.diskBytes - s.usedDisk - s.incomingDisk) / TB))
      row.tape.push(r4(s.usedTape / TB))
      row.cores.push(coresBySite.get(s.name) ?? 0)
    })
    for (const link of sim.links.values()) {
      let series = this.links.get(link)
      if (!series) {
        if (link.queuedBytes === 0 && link.movedInSample === 0) continue
        const zeros = () => this.hours.slice(0, -1).map(() => 0)
        series = { link, backlogTB: zeros(), throughputGbps: zeros(), activeLimit: zeros() }
        this.links.set(link, series)
      }
      const bps = (link.movedInSample * 8) / spanS
      this.peakBps = Math.max(this.peakBps, bps)
      series.backlogTB.push(r4(link.queuedBytes / TB))
      series.throughputGbps.push(r4(bps / 1e9))
      series.activeLimit.push(link.limit)
      link.movedInSample = 0
      const b = series.backlogTB
      const n = b.length
      if (
        n > growingSamples &&
        !this.flagged.has(`link:${link.from}|${link.to}`) &&
        b.slice(n - growingSamples - 1).every((v, k, a) => k === 0 || v > a[k - 1]!) &&
        link.queuedBytes > (link.bps * 3600) / 8 &&
        !sim.siteDown(link.from) &&
        !sim.siteDown(link.to)
      ) {
        this.linkBottleneck(series, `its backlog grew for ${growingSamples} samples in a row`)
      }
    }
    const t = sim.compute.totals
    this.tasks.queued.push(sim.compute.queuedTasks())
    this.tasks.running.push(sim.compute.runningTasks())
    const meanQ = t.sampleStarted > 0 ? t.sampleQueueHours / t.sampleStarted : 0
    this.tasks.meanQueueHours.push(r2(meanQ))
    this.tasks.unplaced.push(t.unplaced)
    t.sampleStarted = 0
    t.sampleQueueHours = 0
    if (meanQ > queueHoursLimit && !this.flagged.has('compute')) {
      this.flagged.add('compute')
      const busiest = [...sim.compute.sites].sort((a, b) => b.queuedCores - a.queuedCores)[0]
      const site = busiest?.site.name ?? '-'
      sim.bottlenecks.push(
        bottleneck(
          'task-queue',
          sim.clock.now(),
          sim.hour,
          `compute:${site}`,
          `tasks started in the last ${this.sampleH} h waited ${r2(meanQ)} h on average; ${site} has the longest queue (${busiest?.queuedCores ?? 0} cores of work)`,
          {
            target: `compute:${site}`,
            change: `add cores at ${site} (or an allocation on more sites): its queue keeps tasks waiting over ${queueHoursLimit} h`,
            requirement: 'compute.peakCores',
          },
        ),
      )
    }
    if (t.firstUnplaced && !this.flagged.has('unplaced')) {
      this.flagged.add('unplaced')
      const u = t.firstUnplaced
      const allocation = /allocation/.test(u.summary)
      sim.bottlenecks.push(
        bottleneck(
          'unplaced-tasks',
          new Date(sim.clock.now().getTime() - (sim.hour - u.hour) * 3_600_000),
          u.hour,
          u.workflow,
          `the broker placed no task of ${u.workflow}: ${u.summary}`,
          {
            target: allocation
              ? `allocation:${u.workflow.split('/')[0]}`
              : `workflow:${u.workflow}`,
            change: allocation
              ? `grant ${u.workflow.split('/')[0]} an allocation (or more core-hours) on the sites its tasks may use`
              : `offer a site that meets ${u.workflow}'s requirements`,
            requirement: allocation ? 'access.allocationModel' : 'compute.peakCores',
          },
        ),
      )
    }
    sim.allocations.list.forEach((a, i) => {
      const row = this.allocations[i]!
      row.left.push(a.coreHours === null ? 0 : r2(a.coreHours - a.usedCoreHours))
      row.disk.push(r4(sim.communityBytesOn(a.community, a.sites) / TB))
      if (a.exhaustedHour !== null && !this.flagged.has(`allocation:${a.name}`)) {
        this.flagged.add(`allocation:${a.name}`)
        sim.bottlenecks.push(
          bottleneck(
            'allocation-exhausted',
            new Date(sim.clock.now().getTime() - (sim.hour - a.exhaustedHour) * 3_600_000),
            a.exhaustedHour,
            `allocation:${a.name}`,
            `${a.community}'s ${a.coreHours} core-hours in ${a.name} ran out ${r2((a.endHour - a.exhaustedHour) / 24)} days before its end`,
            {
              target: `allocation:${a.name}`,
              change: `raise ${a.name} above ${a.coreHours} core-hours or renew it earlier`,
              requirement: 'access.allocationModel',
            },
          ),
        )
      }
    })
    const k = sim.totals.kwh
    this.energy.push(r2(k.compute + k.storage + k.network))
  }

  private linkBottleneck(s: LinkSeries, why: string): void {
    const link = s.link
    this.flagged.add(`link:${link.from}|${link.to}`)
    const recent = s.throughputGbps.slice(-growingSamples)
    const bps = (Math.max(0, ...recent) || 0) * 1e9
    this.sim.bottlenecks.push(
      bottleneck(
        'link-backlog',
        this.sim.clock.now(),
        this.sim.hour,
        `link:${link.from}→${link.to}`,
        `${link.from}→${link.to} holds ${r2(link.queuedBytes / TB)} TB of queued copies: ${why} (at ${r2(bps / 1e9)} Gb/s, ${link.limit} active transfers)`,
        linkAction(link, bps, link.wanLimitedBy),
      ),
    )
  }

  report(wallMs: number): SimulationReport {
    const sim = this.sim
    const s = sim.scenario
    const t = sim.totals
    const backlog = [...sim.links.values()].reduce((n, l) => n + l.queuedBytes, 0)
    const activeH = backlog === 0 && t.lastCopyHour > 0 ? t.lastCopyHour : sim.hour
    const bottlenecks = [...sim.bottlenecks].sort((a, b) => a.hour - b.hour)
    const distributionHours = backlog === 0 && t.copiesQueued > 0 ? r2(t.lastCopyHour) : null
    const summary = {
      ingestedTB: r2(t.ingestedBytes / TB),
      ingestedFiles: Math.round(t.ingestedFiles),
      replicatedTB: r2(t.replicatedBytes / TB),
      replicatedFiles: Math.round(t.replicatedFiles),
      unplacedTB: r2(t.unplacedBytes / TB),
      backlogTB: r2(backlog / TB),
      distributionHours,
      meanThroughputGbps: r2(activeH > 0 ? (t.movedBytes * 8) / (activeH * 3600) / 1e9 : 0),
      peakLinkGbps: r2(this.peakBps / 1e9),
      tasksRun: sim.compute.totals.started,
      tasksUnplaced: sim.compute.totals.unplaced,
      meanQueueHours: r2(
        sim.compute.totals.started > 0
          ? sim.compute.totals.queueHoursSum / sim.compute.totals.started
          : 0,
      ),
      energyKwh: {
        compute: Math.round(t.kwh.compute),
        storage: Math.round(t.kwh.storage),
        network: Math.round(t.kwh.network),
      },
    }
    return {
      scenario: {
        name: s.name,
        title: s.title,
        days: s.days,
        start: new Date(sim.clock.now().getTime() - sim.hour * 3_600_000).toISOString(),
        sources: s.sources,
      },
      run: {
        steps: sim.steps,
        stepMinutes: sim.dtH * 60,
        wallMs: Math.round(wallMs),
        simulatedToWall: Math.round((s.days * 86_400_000) / Math.max(1, wallMs)),
        datasets: sim.datasets,
      },
      summary,
      published: s.published
        ? {
            ...s.published,
            simulated: {
              tb: summary.replicatedTB,
              files: summary.replicatedFiles,
              hours: distributionHours,
              peakLinkGbps: summary.peakLinkGbps,
              meanThroughputGbps: summary.meanThroughputGbps,
            },
          }
        : null,
      bottleneck: bottlenecks[0] ?? null,
      bottlenecks,
      hours: this.hours,
      sites: sim.sites.map((site, i) => ({
        name: site.name,
        capacityTB: r2(site.diskBytes / TB),
        usedTB: this.sites[i]!.used,
        freeTB: this.sites[i]!.free,
        tapeUsedTB: this.sites[i]!.tape,
        runningCores: this.sites[i]!.cores,
      })),
      links: [...this.links.values()].map((l) => ({
        from: l.link.from,
        to: l.link.to,
        gbps: l.link.bps / 1e9,
        backlogTB: l.backlogTB,
        throughputGbps: l.throughputGbps,
        activeLimit: l.activeLimit,
      })),
      tasks: this.tasks,
      allocations: sim.allocations.list.map((a, i) => ({
        name: a.name,
        community: a.community,
        coreHours: a.coreHours,
        coreHoursLeft: this.allocations[i]!.left,
        diskTB: a.diskBytes === null ? null : a.diskBytes / TB,
        diskUsedTB: this.allocations[i]!.disk,
      })),
      energyKwh: this.energy,
    }
  }
}
