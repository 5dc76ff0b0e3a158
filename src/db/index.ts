/**
 * db: connections to PostgreSQL or embedded PGlite, the schema types, migrations and the
 * mapping of database errors to catalogue codes. Imports only platform/.
 */
export {
  connect,
  dumpEmbedded,
  type Backend,
  type Database,
  type ConnectOptions,
} from './connect.js'
export {
  migrate,
  loadMigrations,
  latestVersion,
  schemaVersion,
  assertSchemaCurrent,
  type MigrationResult,
} from './migrator.js'
export {
  isConnectionError,
  mapDatabaseError,
  sqlState,
  sqlStateOf,
  type DatabaseErrorMapping,
} from './sql-errors.js'
export type { BaseContext, Context, Executor } from './context.js'
export { actingAs } from './context.js'
export { changeChannel, listenForChanges, localChangeFeed, type ChangeFeed } from './change-feed.js'
export type * from './schema.js'
