/**
 * The change feed: which tables changed, as seen by this process. Writes in this process report
 * their tables right after commit (`announce`); writes by other processes arrive through
 * PostgreSQL LISTEN/NOTIFY on the `continuum_changes` channel (sent by triggers, see migration
 * 0002). Read caches keep a generation number per table and drop entries when it moves.
 *
 * While the listening connection is down, `reliable` is false and caches must not serve reads:
 * a change could be missed. PGlite is used by one process only, so local announcements suffice.
 */
import type pg from 'pg'
import type { Logger } from '../platform/index.js'

export const changeChannel = 'continuum_changes'

export interface ChangeFeed {
  /** A number that changes whenever `table` may have changed. */
  generation(table: string): number
  /** False while changes by other processes could be missed. */
  readonly reliable: boolean
  /** Reports tables this process changed (call after the transaction committed). */
  announce(...tables: string[]): void
  close(): Promise<void>
}

class LocalChangeFeed implements ChangeFeed {
  private readonly generations = new Map<string, number>()
  private epoch = 0
  reliable = true

  generation(table: string): number {
    return this.epoch * 1_000_000_000 + (this.generations.get(table) ?? 0)
  }

  announce(...tables: string[]): void {
    for (const table of tables) this.generations.set(table, (this.generations.get(table) ?? 0) + 1)
  }

  /** Everything may have changed (e.g. after a lost connection). */
  invalidateAll(): void {
    this.epoch++
  }

  async close(): Promise<void> {}
}

/** A feed for a database only this process writes (PGlite). */
export function localChangeFeed(): ChangeFeed {
  return new LocalChangeFeed()
}

/** A feed that also hears other processes' writes on PostgreSQL, reconnecting when needed. */
export async function listenForChanges(url: string, logger: Logger): Promise<ChangeFeed> {
  // pg is loaded only by processes that use PostgreSQL (an embedded demo starts faster).
  const { default: pg } = await import('pg')
  const feed = new LocalChangeFeed()
  let client: pg.Client | undefined
  let closed = false
  let retryTimer: NodeJS.Timeout | undefined

  const connectListener = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url })
    c.on('notification', (msg) => {
      if (msg.channel === changeChannel && msg.payload) feed.announce(msg.payload)
    })
    c.on('error', (err) => {
      logger.warn({ err }, 'change feed connection lost; caches off until it is back')
      lost(c)
    })
    c.on('end', () => lost(c))
    await c.connect()
    await c.query(`listen ${changeChannel}`)
    client = c
    // Changes made while we were not listening are unknown: start afresh.
    feed.invalidateAll()
    feed.reliable = true
  }

  const lost = (c: pg.Client) => {
    if (client !== c) return
    client = undefined
    feed.reliable = false
    feed.invalidateAll()
    c.end().catch(() => {})
    if (!closed) scheduleReconnect(1000)
  }

  const scheduleReconnect = (ms: number) => {
    retryTimer = setTimeout(() => {
      connectListener().catch((err: unknown) => {
        logger.debug({ err }, 'change feed reconnect failed')
        if (!closed) scheduleReconnect(Math.min(ms * 2, 30_000))
      })
    }, ms)
    retryTimer.unref()
  }

  feed.reliable = false
  await connectListener()
  return Object.assign(feed, {
    async close() {
      closed = true
      if (retryTimer) clearTimeout(retryTimer)
      const c = client
      client = undefined
      feed.reliable = false
      await c?.end().catch(() => {})
    },
  })
}
