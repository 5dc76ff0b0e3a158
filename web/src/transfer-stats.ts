/**
 * Per-link transfer figures for the Transfers view: the scheduler's live link statistics
 * (`GET /transfers/stats`: active, queued, the optimiser's limit, success rate, throughput)
 * merged with the recent transfer list, which gives throughput over time (finished bytes per
 * minute) and failures by class. The view depends only on `TransferStats`.
 */
import type { ContinuumClient, Transfer, TransferLinkStats } from '../../src/client/index.js'

export interface LinkStats {
  /** `source → destination`; `*` for requests whose source is not chosen yet. */
  link: string
  destination: string
  active: number
  queued: number
  done: number
  failed: number
  bytesDone: number
  /** Bytes per second finished in each bucket of `TransferStats.times`. */
  throughput: number[]
  /** The optimiser's current limit of active transfers (live statistics only). */
  activeLimit?: number
  /** Share of attempts that succeeded in the statistics window, 0–1 (live statistics only). */
  successRate?: number | null
  /** The link has no direct route: its files go through multihop endpoints (live only). */
  closed?: boolean
}

export interface TransferStats {
  /** Bucket start times, Unix seconds, oldest first. */
  times: number[]
  links: LinkStats[]
  failuresByClass: Record<string, number>
  recent: Transfer[]
}

/** Failure classes named as the error catalogue's storage codes, read off the error text. */
const failureClasses: [RegExp, string][] = [
  [/checksum|adler32|sha256/i, 'CHECKSUM_MISMATCH'],
  [/not ?found|ENOENT|\b404\b|no such file/i, 'STORAGE_FILE_NOT_FOUND'],
  [/permission|EACCES|EPERM|\b40[13]\b|forbidden|denied/i, 'STORAGE_PERMISSION_DENIED'],
  [/ENOSPC|no space|quota|full/i, 'STORAGE_FULL'],
  [/timed? ?out|ETIMEDOUT/i, 'STORAGE_TIMEOUT'],
  [/ECONNREFUSED|EHOSTUNREACH|unreachable|ECONNRESET|socket/i, 'STORAGE_UNREACHABLE'],
]

export function failureClass(error: string): string {
  const code = /^([A-Z][A-Z0-9_]{3,}):/.exec(error)?.[1]
  if (code) return code
  return failureClasses.find(([re]) => re.test(error))?.[1] ?? 'STORAGE_ERROR'
}

function emptyLink(link: string, destination: string, buckets: number): LinkStats {
  return {
    link,
    destination,
    active: 0,
    queued: 0,
    done: 0,
    failed: 0,
    bytesDone: 0,
    throughput: new Array<number>(buckets).fill(0),
  }
}

export function transferStatsFromList(
  transfers: Transfer[],
  now: Date,
  options: { bucketSeconds?: number; buckets?: number } = {},
): TransferStats {
  const bucketSeconds = options.bucketSeconds ?? 60
  const buckets = options.buckets ?? 30
  const end = Math.ceil(now.getTime() / 1000 / bucketSeconds) * bucketSeconds
  const start = end - buckets * bucketSeconds
  const times = Array.from({ length: buckets }, (_, i) => start + i * bucketSeconds)
  const links = new Map<string, LinkStats>()
  const failuresByClass: Record<string, number> = {}
  for (const t of transfers) {
    const name = `${t.source ?? '*'} → ${t.endpoint}`
    let link = links.get(name)
    if (!link) {
      link = emptyLink(name, t.endpoint, buckets)
      links.set(name, link)
    }
    if (t.state === 'submitted') link.active++
    else if (t.state === 'queued') link.queued++
    else if (t.state === 'failed') link.failed++
    else if (t.state === 'done') {
      link.done++
      link.bytesDone += t.bytes
      const finished = new Date(t.updatedAt).getTime() / 1000
      const bucket = Math.floor((finished - start) / bucketSeconds)
      if (bucket >= 0 && bucket < buckets) {
        link.throughput[bucket] = (link.throughput[bucket] ?? 0) + t.bytes / bucketSeconds
      }
    }
    // A retried transfer carries its last error while queued again: count each failure once.
    if (t.lastError && (t.state === 'failed' || t.state === 'queued')) {
      const cls = t.failureClass ?? failureClass(t.lastError)
      failuresByClass[cls] = (failuresByClass[cls] ?? 0) + 1
    }
  }
  const recent = [...transfers].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, 50)
  return {
    times,
    links: [...links.values()].sort((a, b) => a.link.localeCompare(b.link)),
    failuresByClass,
    recent,
  }
}

/**
 * Live link statistics override what the (bounded) list shows: they count every queued and
 * active request, not only the latest ones, and carry the optimiser's limit and success rate.
 */
export function withLiveLinks(stats: TransferStats, live: TransferLinkStats[]): TransferStats {
  const byName = new Map(stats.links.map((l) => [l.link, l]))
  for (const l of live) {
    const name = `${l.source} → ${l.destination}`
    const link = byName.get(name) ?? emptyLink(name, l.destination, stats.times.length)
    link.active = l.active
    link.queued = l.queued
    link.activeLimit = l.activeLimit
    link.successRate = l.successRate
    link.closed = l.closed
    byName.set(name, link)
  }
  return { ...stats, links: [...byName.values()].sort((a, b) => a.link.localeCompare(b.link)) }
}

/** What the Transfers view calls every few seconds. */
export async function loadTransferStats(client: ContinuumClient): Promise<TransferStats> {
  const [list, live] = await Promise.all([
    client.transfers.list({ limit: 500 }),
    client.transfers.stats(),
  ])
  return withLiveLinks(transferStatsFromList(list, new Date()), live.links)
}
