/**
 * The database schema as Kysely sees it: one interface per table, named after the table.
 * Each domain's `*-store.ts` is the only code that queries its own tables.
 * Keep in step with migrations/ (a test compares them).
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

export interface DataScopesTable {
  name: string
  account: string
  community_id: string | null
  created_at: Timestamp
}

export interface DataDidsTable {
  scope: string
  name: string
  type: string
  status: Generated<string>
  monotonic: Generated<boolean>
  bytes: number | null
  adler32: string | null
  sha256: string | null
  meta: ColumnType<Record<string, unknown>, string | undefined, string>
  account: string
  created_at: Timestamp
  updated_at: Timestamp
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface DataAttachmentsTable {
  parent_scope: string
  parent_name: string
  child_scope: string
  child_name: string
  created_at: Timestamp
}

export interface StorageEndpointsTable {
  id: string
  name: string
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>
  protocols: ColumnType<unknown[], string | undefined, string>
  available_read: Generated<boolean>
  available_write: Generated<boolean>
  available_delete: Generated<boolean>
  capacity_bytes: number | null
  used_bytes: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DataReplicasTable {
  scope: string
  name: string
  endpoint_id: string
  state: string
  bytes: number
  adler32: string | null
  path: string
  lock_count: Generated<number>
  tombstone: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DataRulesTable {
  id: string
  scope: string
  name: string
  account: string
  copies: number
  expression: string
  source_expression: string | null
  grouping: string
  weight: string | null
  activity: string
  comment: string
  state: string
  locks_ok: Generated<number>
  locks_replicating: Generated<number>
  locks_stuck: Generated<number>
  expires_at: Date | null
  needs_evaluation: Generated<boolean>
  claimed_by: string | null
  claimed_until: Date | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DataLocksTable {
  rule_id: string
  scope: string
  name: string
  endpoint_id: string
  state: string
  bytes: number
  reason: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DataQuotasTable {
  owner: string
  endpoint_id: string
  bytes: number
  updated_at: Timestamp
}

export interface TransferRequestsTable {
  id: string
  scope: string
  name: string
  endpoint_id: string
  state: Generated<string>
  activity: string
  bytes: number
  adler32: string | null
  source_expression: string | null
  attempts: Generated<number>
  max_attempts: Generated<number>
  last_error: string | null
  last_source: string | null
  not_before: Timestamp
  claimed_by: string | null
  claimed_until: Date | null
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
  data_scopes: DataScopesTable
  data_dids: DataDidsTable
  data_attachments: DataAttachmentsTable
  storage_endpoints: StorageEndpointsTable
  data_replicas: DataReplicasTable
  data_rules: DataRulesTable
  data_locks: DataLocksTable
  data_quotas: DataQuotasTable
  transfer_requests: TransferRequestsTable
}
