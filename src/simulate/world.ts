/**
 * The simulated world: sites with their disk and tape, the storage endpoints the rule engine
 * sees (the contract's Endpoint, as the Run face has them), links with the transfer optimiser's
 * state, and outages. Datasets stand for many files (placement is per dataset, as a rule with
 * dataset grouping places it), so a year of ingest is thousands of records, not billions.
 */
import type { Endpoint, Scenario } from '../contract/index.js'

export const TB = 1e12

export interface SimSite {
  name: string
  country: string | null
  attributes: Record<string, string | number | boolean>
  diskBytes: number
  tapeBytes: number
  usedDisk: number
  usedTape: number
  /** Bytes of copies on their way (counted as used so a step's placements cannot overfill). */
  incomingDisk: number
  incomingTape: number
  cores: number
  wattsPerCore: number
  gCo2PerKwh: number | null
  wanBps: number | null
}

export interface Dataset {
  key: string
  community: string
  bytes: number
  files: number
  origin: string
  /** Endpoint ids holding a complete replica. */
  holders: Set<string>
  createdHour: number
}

export interface TransferRequest {
  id: string
  dataset: Dataset
  community: string
  activity: string
  dest: string
  destSite: string
  bytes: number
  files: number
  remaining: number
  createdHour: number
  /** Hour the replica made by its rule is deleted (null: kept). */
  expiresHour: number | null
}

export interface SimLink {
  from: string
  to: string
  bps: number
  maxActive: number
  streamBps: number
  fileOverheadS: number
  limit: number
  previousThroughput: number | null
  queue: TransferRequest[]
  queuedBytes: number
  movedInSample: number
  /** Bytes the step wanted to move before the sites' WAN caps. */
  wanted: number
  /** The site whose WAN held the link back in the last step, if one did. */
  wanLimitedBy: string | null
}

/** FTS's defaults for a new link (transfer_links in migration 0010): 8 active, ceiling 32. */
export const linkDefaults = {
  gbps: 10,
  maxActive: 32,
  initialLimit: 8,
  streamGbps: 1,
  fileOverheadS: 1,
}

export function buildSites(s: Scenario): SimSite[] {
  return s.sites.map((x) => ({
    name: x.name,
    country: x.country ?? null,
    attributes: { ...x.attributes },
    diskBytes: (x.diskTB ?? 0) * TB,
    tapeBytes: (x.tapeTB ?? 0) * TB,
    usedDisk: (x.usedTB ?? 0) * TB,
    usedTape: 0,
    incomingDisk: 0,
    incomingTape: 0,
    cores: x.cores ?? 0,
    wattsPerCore: x.wattsPerCore ?? 10,
    gCo2PerKwh: x.gCo2PerKwh ?? null,
    wanBps: x.wanGbps === undefined ? null : x.wanGbps * 1e9,
  }))
}

export function buildLinks(s: Scenario): Map<string, SimLink> {
  const links = new Map<string, SimLink>()
  const d = { ...linkDefaults, ...s.defaultLink }
  const make = (from: string, to: string, l: Partial<typeof d>): SimLink => {
    const maxActive = l.maxActive ?? d.maxActive
    return {
      from,
      to,
      bps: (l.gbps ?? d.gbps) * 1e9,
      maxActive,
      streamBps: (l.streamGbps ?? d.streamGbps) * 1e9,
      fileOverheadS: l.fileOverheadS ?? d.fileOverheadS,
      limit: Math.min(maxActive, linkDefaults.initialLimit),
      previousThroughput: null,
      queue: [],
      queuedBytes: 0,
      movedInSample: 0,
      wanted: 0,
      wanLimitedBy: null,
    }
  }
  for (const l of s.links ?? []) links.set(`${l.from}|${l.to}`, make(l.from, l.to, l))
  for (const a of s.sites) {
    for (const b of s.sites) {
      if (a.name !== b.name && !links.has(`${a.name}|${b.name}`)) {
        links.set(`${a.name}|${b.name}`, make(a.name, b.name, {}))
      }
    }
  }
  return links
}

export const diskId = (site: string) => site
export const tapeId = (site: string) => `${site}#tape`
export const siteOf = (endpointId: string) => endpointId.replace(/#tape$/, '')
export const isTape = (endpointId: string) => endpointId.endsWith('#tape')

const epoch = new Date(0).toISOString()

/** The storage endpoints of the sites as the rule engine's placement reads them. */
export function endpointsOf(sites: readonly SimSite[], down: ReadonlySet<string>): Endpoint[] {
  const out: Endpoint[] = []
  for (const s of sites) {
    const up = !down.has(s.name)
    const base = {
      protocols: [],
      availableRead: up,
      availableWrite: up,
      availableDelete: up,
      createdAt: epoch,
      updatedAt: epoch,
    }
    const attributes = {
      site: s.name,
      ...(s.country ? { country: s.country } : {}),
      ...s.attributes,
    }
    if (s.diskBytes > 0) {
      out.push({
        ...base,
        id: diskId(s.name),
        name: s.name,
        attributes: { ...attributes, type: 'disk' },
        capacityBytes: s.diskBytes,
        usedBytes: s.usedDisk + s.incomingDisk,
      })
    }
    if (s.tapeBytes > 0) {
      out.push({
        ...base,
        id: tapeId(s.name),
        name: `${s.name}_TAPE`,
        attributes: { ...attributes, type: 'tape' },
        capacityBytes: s.tapeBytes,
        usedBytes: s.usedTape + s.incomingTape,
      })
    }
  }
  return out
}
