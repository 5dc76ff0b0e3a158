import type { Kysely, Transaction } from 'kysely'
import type { Actor, Clock } from '../platform/index.js'
import type { ChangeFeed } from './change-feed.js'
import type { DB } from './schema.js'

/** A server's or worker's shared handles: where to read and write, and what time it is. */
export interface BaseContext {
  db: Kysely<DB>
  clock: Clock
  /** Present in server processes: lets use cases keep read caches coherent. */
  changes?: ChangeFeed | undefined
}

/**
 * What every use case receives: the shared handles and who it acts for. A route builds one per
 * request from the verified identity; a background agent has its named system actor.
 */
export interface Context extends BaseContext {
  actor: Actor
}

/** The same handles acting for someone else (an agent acting for a workflow's owner). */
export function actingAs(ctx: BaseContext, actor: Actor): Context {
  return { db: ctx.db, clock: ctx.clock, changes: ctx.changes, actor }
}

/** A store function's first argument: the database or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>
