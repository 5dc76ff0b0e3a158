/**
 * The audit log: every decision of the gate (allowed, denied, unauthenticated) with who, what,
 * which resource, which policies and when. Entries are buffered and written in batches (one
 * multi-row INSERT) so that auditing does not cost a database round trip per request; readers
 * flush first, and the server flushes on close.
 *
 * Within one flush window, identical *allowed* decisions (same principal, action, resource,
 * policies, method and path) become one row with a count and the time of the last: a client
 * polling one resource costs one row per window, not one per request (the row insert was most
 * of the gate's cost). Denials are one row each, with their own request id, because those are
 * what an investigation follows; the gate waits for their write before answering.
 *
 * Unauthenticated requests carry no identity to follow, and anyone can send them: they are
 * counted per client address, method, route and reason over a longer window (10 s) into one
 * row (resource `Address::"<ip>"`, the first request id), so a flood costs a row per address
 * and route per window instead of filling the disk (89,129 rows in 20 s before).
 */
import type { AuditEntry, AuditQuery, Page } from '../contract/index.js'
import { mapDatabaseError, type Context } from '../db/index.js'
import { ContinuumError, decodeCursor, encodeCursor, type Logger } from '../platform/index.js'
import { insertAuditRows, listAuditRows, type AuditRow, type NewAuditRow } from './audit-store.js'

export interface AuditRecord {
  at: Date
  requestId: string
  principal: string | null
  action: string
  resource: string
  decision: 'allow' | 'deny' | 'unauthenticated'
  policies: string[]
  reason: string
  method: string
  path: string
  /** The client address; unauthenticated requests are counted by it. */
  address?: string
}

/**
 * The policies as stored, kept per array: the gate hands the policy engine's cached decision's
 * array on every request it answers, so each is serialised once, not once per request.
 */
function policiesText(policies: string[]): string {
  let text = policiesTexts.get(policies)
  if (text === undefined) {
    text = JSON.stringify(policies)
    policiesTexts.set(policies, text)
  }
  return text
}
const policiesTexts = new WeakMap<string[], string>()

export class AuditLog {
  private buffer: NewAuditRow[] = []
  /** Allowed decisions in the buffer by their identity, to count repeats into one row. */
  private allowed = new Map<string, NewAuditRow>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  /** Rows whose write met a database outage, written again before newer ones. */
  private held: NewAuditRow[] = []
  private retryTimer: NodeJS.Timeout | undefined
  private retries = 0
  /** Unauthenticated requests of the current window, by address, method, path and reason. */
  private anonymous = new Map<string, NewAuditRow>()
  private anonymousTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
    private readonly options: {
      batchSize?: number
      flushMs?: number
      /** Rows kept through a database outage before the oldest are given up (default 100,000). */
      maxHeld?: number
      /** Window over which unauthenticated requests are counted into one row (default 10 s). */
      anonymousWindowMs?: number
    } = {},
  ) {}

  /** Decisions (counted rows count as many) waiting for the database to come back. */
  get heldCount(): number {
    let n = 0
    for (const row of this.held) n += row.count ?? 1
    return n
  }

  record(r: AuditRecord): void {
    if (r.decision === 'unauthenticated') return this.countAnonymous(r)
    const policies = policiesText(r.policies)
    const resource = r.resource.slice(0, 1000)
    const path = r.path.slice(0, 1000)
    let key: string | undefined
    if (r.decision === 'allow') {
      key = `${r.principal ?? ''}\u0000${r.action}\u0000${resource}\u0000${policies}\u0000${r.method}\u0000${path}`
      const same = this.allowed.get(key)
      if (same) {
        same.count = (same.count ?? 1) + 1
        same.last_at = r.at
        return
      }
    }
    const row: NewAuditRow = {
      at: r.at,
      request_id: r.requestId,
      principal: r.principal,
      action: r.action,
      resource,
      decision: r.decision,
      policies,
      reason: r.reason.slice(0, 1000),
      method: r.method,
      path,
      count: 1,
      last_at: null,
    }
    this.buffer.push(row)
    if (key !== undefined) this.allowed.set(key, row)
    if (this.buffer.length >= (this.options.batchSize ?? 200)) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 200)
  }

  private countAnonymous(r: AuditRecord): void {
    const address = (r.address ?? 'unknown').slice(0, 100)
    const path = r.path.slice(0, 1000)
    const reason = r.reason.slice(0, 1000)
    // Distinct keys per window are bounded: past the bound, one row per route collects the rest.
    const full = this.anonymous.size >= maxAnonymousKeys
    const addr = full ? '*' : address
    const key = `${addr}\u0000${r.method}\u0000${path}\u0000${reason}`
    const same = this.anonymous.get(key)
    if (same) {
      same.count = (same.count ?? 1) + 1
      same.last_at = r.at
      return
    }
    this.anonymous.set(key, {
      at: r.at,
      request_id: r.requestId,
      principal: null,
      action: r.action,
      resource: `Address::${JSON.stringify(addr)}`,
      decision: 'unauthenticated',
      policies: '[]',
      reason,
      method: r.method,
      path,
      count: 1,
      last_at: null,
    })
    this.anonymousTimer ??= setTimeout(() => {
      this.anonymousTimer = undefined
      void this.flush()
    }, this.options.anonymousWindowMs ?? 10_000)
  }

  /** Writes everything recorded so far; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.anonymousTimer) clearTimeout(this.anonymousTimer)
    this.anonymousTimer = undefined
    if (this.anonymous.size > 0) {
      this.buffer.push(...this.anonymous.values())
      this.anonymous = new Map()
    }
    const rows = this.buffer
    this.buffer = []
    this.allowed = new Map()
    this.flushing = this.flushing.then(async () => {
      const batch = this.held.length > 0 ? [...this.held, ...rows] : rows
      this.held = []
      try {
        await insertAuditRows(this.ctx.db, batch)
        this.retries = 0
      } catch (err) {
        if (isOutage(err)) return this.hold(batch, err)
        // Never lose the trail silently: the log keeps what the table could not.
        this.logger.error(
          { err, lost: batch.length, entries: batch.map((r) => ({ ...r, policies: r.policies })) },
          'audit log write failed',
        )
      }
    })
    return this.flushing
  }

  /**
   * The database is away: keep the rows in memory (bounded) and try again with backoff, so an
   * outage delays the trail instead of losing it. Past the bound the oldest rows go to the log.
   */
  private hold(rows: NewAuditRow[], err: unknown): void {
    const max = this.options.maxHeld ?? 100_000
    const over = rows.length - max
    if (over > 0) {
      const lost = rows.splice(0, over)
      this.logger.error(
        { lost: lost.length, entries: lost.map((r) => ({ ...r, policies: r.policies })) },
        'audit log held too many rows during a database outage',
      )
    }
    this.held = rows
    this.retries++
    if (this.retries === 1) {
      this.logger.warn({ err, held: rows.length }, 'audit log waits for the database')
    }
    if (!this.retryTimer) {
      const wait = Math.min(10_000, 250 * 2 ** Math.min(this.retries, 6))
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined
        void this.flush()
      }, wait)
      this.retryTimer.unref()
    }
  }

  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    await this.flush()
    const limit = query.limit ?? 100
    const before = query.cursor === undefined ? undefined : Number(decodeCursor(query.cursor, 1)[0])
    const rows = await listAuditRows(this.ctx.db, {
      principal: query.principal,
      action: query.action,
      decision: query.decision,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
      before,
      limit: limit + 1,
    })
    const items = rows.slice(0, limit).map(toEntry)
    const last = items.at(-1)
    return { items, next: rows.length > limit && last ? encodeCursor([String(last.id)]) : null }
  }
}

const maxAnonymousKeys = 10_000

function isOutage(err: unknown): boolean {
  const mapped = mapDatabaseError(err)
  return mapped instanceof ContinuumError && mapped.code === 'DATABASE_UNAVAILABLE'
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: Number(r.id),
    at: new Date(r.at).toISOString(),
    requestId: r.request_id,
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    decision: r.decision as AuditEntry['decision'],
    policies: typeof r.policies === 'string' ? (JSON.parse(r.policies) as string[]) : r.policies,
    reason: r.reason,
    method: r.method,
    path: r.path,
    count: r.count,
    lastAt: r.last_at === null ? null : new Date(r.last_at).toISOString(),
  }
}
