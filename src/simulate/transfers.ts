/**
 * One step of the transfer service on the virtual clock. The Run face's scheduler decides:
 * `chooseTransfers` (FTS-like fair share between communities and activities) hands a link's
 * slots to the queued requests, and `decideLimit` (the link optimiser) moves each link's number
 * of active transfers, once per 60 s of simulated time as the transfer agent does. What the
 * simulator models is only the duration: a slot moves one file at a time at the per-transfer
 * rate after a fixed per-file overhead; a link carries at most its bandwidth, a site's links
 * together at most its WAN.
 */
import { chooseTransfers, decideLimit, type ClaimSituation } from '../transfers/index.js'
import type { SimLink, SimSite, TransferRequest } from './world.js'

/** The real agent's optimiser interval (transfer-agent.ts `optimiserIntervalMs`). */
const optimiserIntervalS = 60
/** A link's slots are handed out in at most this many units per step (aggregated requests). */
const unitsPerLink = 16

export interface LinkStepResult {
  finished: TransferRequest[]
  movedBytes: number
}

type Candidate = ClaimSituation['candidates'][number]

/** Slots per request for one step, decided by the real fair-share code. */
export function shareSlots(
  link: SimLink,
  shares: ReadonlyMap<string, number>,
  now: Date,
): Map<TransferRequest, number> {
  const unit = Math.max(1, Math.ceil(link.limit / unitsPerLink))
  const units = Math.ceil(link.limit / unit)
  const perQueue = new Map<string, number>()
  const candidates: Candidate[] = []
  const byId = new Map<string, TransferRequest>()
  for (const r of link.queue) {
    const q = `${r.community}|${r.activity}`
    const taken = perQueue.get(q) ?? 0
    if (taken >= units) continue
    const want = Math.min(units - taken, Math.max(1, Math.ceil(r.files / unit)))
    perQueue.set(q, taken + want)
    for (let k = 0; k < want; k++) {
      const id = `${r.id}:${k}`
      byId.set(id, r)
      candidates.push({
        id,
        source: link.from,
        dest: link.to,
        community: r.community,
        activity: r.activity,
        priority: 3,
        notBefore: now,
      })
    }
  }
  const chosen = chooseTransfers({
    links: [{ source: link.from, dest: link.to, limit: units, active: 0 }],
    candidates,
    active: [],
    shares: { activity: new Map(), community: new Map(shares) },
    limit: units,
  })
  const slots = new Map<TransferRequest, number>()
  for (const id of chosen) {
    const r = byId.get(id)!
    slots.set(r, (slots.get(r) ?? 0) + unit)
  }
  return slots
}

/** Bytes per second one slot moves for files of this mean size (link rates are bits/s). */
export function slotRate(link: SimLink, meanFileBytes: number): number {
  // Rates are in bits per second, sizes in bytes.
  const perFile = link.fileOverheadS + (meanFileBytes * 8) / link.streamBps
  return perFile > 0 ? meanFileBytes / perFile : 0
}

export interface StepContext {
  dtS: number
  now: Date
  shares: ReadonlyMap<string, number>
  siteDown: (site: string) => boolean
  linkDown: (from: string, to: string) => boolean
}

/** Moves a step's bytes on every link with work; returns the copies that completed. */
export function stepTransfers(
  links: Iterable<SimLink>,
  sites: ReadonlyMap<string, SimSite>,
  ctx: StepContext,
): LinkStepResult {
  const plans: Array<{ link: SimLink; moves: Map<TransferRequest, number>; up: boolean }> = []
  const egress = new Map<string, number>()
  const ingress = new Map<string, number>()
  for (const link of links) {
    if (link.queue.length === 0) continue
    const up =
      !ctx.siteDown(link.from) && !ctx.siteDown(link.to) && !ctx.linkDown(link.from, link.to)
    const moves = new Map<TransferRequest, number>()
    if (up) {
      let total = 0
      for (const [r, n] of shareSlots(link, ctx.shares, ctx.now)) {
        const mean = r.bytes / Math.max(1, r.files)
        const bytes = Math.min(r.remaining, n * slotRate(link, mean) * ctx.dtS)
        moves.set(r, bytes)
        total += bytes
      }
      const cap = (link.bps / 8) * ctx.dtS
      if (total > cap) for (const [r, b] of moves) moves.set(r, (b * cap) / total)
      link.wanted = Math.min(total, cap)
      egress.set(link.from, (egress.get(link.from) ?? 0) + link.wanted)
      ingress.set(link.to, (ingress.get(link.to) ?? 0) + link.wanted)
    }
    plans.push({ link, moves, up })
  }
  // A site's WAN is shared by all its links: scale each link by its busiest end's share.
  const wanScale = (site: string, load: Map<string, number>) => {
    const wan = sites.get(site)?.wanBps
    const used = load.get(site) ?? 0
    const can = ((wan ?? 0) / 8) * ctx.dtS
    return wan === null || wan === undefined || used <= can ? 1 : can / used
  }
  const finished: TransferRequest[] = []
  let movedBytes = 0
  for (const { link, moves, up } of plans) {
    const out = wanScale(link.from, egress)
    const into = wanScale(link.to, ingress)
    const scale = up ? Math.min(out, into) : 0
    link.wanLimitedBy = !up || scale >= 0.99 ? null : out <= into ? link.from : link.to
    let bytes = 0
    let files = 0
    for (const [r, b] of moves) {
      const moved = b * scale
      r.remaining -= moved
      bytes += moved
      files += (moved / r.bytes) * r.files
      if (r.remaining <= r.bytes * 1e-9) {
        r.remaining = 0
        finished.push(r)
      }
    }
    if (finished.length > 0) link.queue = link.queue.filter((r) => r.remaining > 0)
    link.queuedBytes = Math.max(0, link.queuedBytes - bytes)
    link.movedInSample += bytes
    movedBytes += bytes
    optimise(
      link,
      {
        done: up ? Math.round(files) : 0,
        // A step with the link down: every slot's attempt failed as unreachable.
        failed: up ? 0 : link.limit,
        unreachable: up ? 0 : link.limit,
        bytes,
        seconds: ctx.dtS,
        saturated:
          up && link.queue.reduce((n, r) => n + r.files * (r.remaining / r.bytes), 0) > link.limit,
      },
      ctx.dtS,
    )
  }
  return { finished, movedBytes }
}

function optimise(
  link: SimLink,
  w: {
    done: number
    failed: number
    unreachable: number
    bytes: number
    seconds: number
    saturated: boolean
  },
  dtS: number,
): void {
  // The agent looks every 60 s; a longer step is that many passes over the same window.
  const passes = Math.min(64, Math.max(1, Math.round(dtS / optimiserIntervalS)))
  const window = {
    done: w.done,
    failed: w.failed,
    unreachable: w.unreachable,
    bytes: w.bytes,
    seconds: w.seconds,
  }
  for (let i = 0; i < passes; i++) {
    const d = decideLimit({
      limit: link.limit,
      maxActive: link.maxActive,
      previousThroughput: link.previousThroughput,
      window,
      saturated: w.saturated,
    })
    if (d.limit === link.limit && d.throughput === link.previousThroughput) break
    link.limit = d.limit
    link.previousThroughput = d.throughput
  }
}
