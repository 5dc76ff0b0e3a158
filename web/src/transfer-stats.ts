/**
 * Per-link transfer figures for the Transfers view, derived from the transfer list the API has
 * today. This is the one adapter to switch to the per-link statistics endpoint when it lands:
 * the view depends only on `TransferStats`.
 */
import type { ContinuumClient, Transfer } from '../../src/client/index.js'

export interface LinkStats {
  /** `source → destination`; the list API names only the destination, so the source is `any`. */
  link: string
  destination: string
  active: number
  queued: number
  done: number
  failed: number
  bytesDone: number
  /** Bytes per second finished in each bucket of `TransferStats.times`. */
  throughput: number[]
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
    let link = links.get(t.endpoint)
    if (!link) {
      link = {
        link: `any → ${t.endpoint}`,
        destination: t.endpoint,
        active: 0,
        queued: 0,
        done: 0,
        failed: 0,
        bytesDone: 0,
        throughput: new Array<number>(buckets).fill(0),
      }
      links.set(t.endpoint, link)
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
      const cls = failureClass(t.lastError)
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

/** What the Transfers view calls every few seconds. */
export async function loadTransferStats(client: ContinuumClient): Promise<TransferStats> {
  return transferStatsFromList(await client.data.listTransfers(), new Date())
}
