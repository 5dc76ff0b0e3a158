/**
 * The database schema as Kysely sees it: one interface per table, named after the table.
 * Each domain's `*-store.ts` is the only code that queries its own tables.
 * Keep in step with migrations/.
 */
import type { ColumnType, Generated } from 'kysely'

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface CommunitiesTable {
  id: string
  name: string
  title: string
  field: string | null
  description: Generated<string>
  homepage: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface InfrastructuresTable {
  id: string
  name: string
  title: string
  kind: string
  operator: string
  country: string
  url: string | null
  status: Generated<string>
  part_of: string | null
  description: Generated<string>
  source: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: Timestamp
}

export interface DB {
  communities: CommunitiesTable
  infrastructures: InfrastructuresTable
  schema_migrations: SchemaMigrationsTable
}
