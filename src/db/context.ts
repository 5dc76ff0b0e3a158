import type { Kysely, Transaction } from 'kysely'
import type { Clock } from '../platform/index.js'
import type { ChangeFeed } from './change-feed.js'
import type { DB } from './schema.js'

/** What every use case receives: where to read and write, and what time it is. */
export interface Context {
  db: Kysely<DB>
  clock: Clock
  /** Present in server processes: lets use cases keep read caches coherent. */
  changes?: ChangeFeed | undefined
}

/** A store function's first argument: the database or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>
