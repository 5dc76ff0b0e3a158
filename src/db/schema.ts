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

export interface PoliciesTable {
  id: string
  name: string
  version: number
  body: string
  description: Generated<string>
  source: Generated<string>
  deleted: Generated<boolean>
  created_by: string
  created_at: Timestamp
}

export interface AuditLogTable {
  id: Generated<number>
  at: Timestamp
  request_id: string
  principal: string | null
  action: string
  resource: string
  decision: string
  policies: ColumnType<string[], string, string>
  reason: Generated<string>
  method: Generated<string>
  path: Generated<string>
}

export interface AuthDeviceCodesTable {
  device_code_hash: string
  user_code: string
  client_id: string
  scope: Generated<string>
  status: string
  subject: string | null
  groups: ColumnType<string[] | null, string | null, string | null>
  expires_at: Timestamp
  created_at: Timestamp
}

export interface AuthRevocationsTable {
  id: string
  issuer: string
  subject: string
  community: string
  created_by: string
  created_at: Timestamp
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
  policies: PoliciesTable
  audit_log: AuditLogTable
  auth_device_codes: AuthDeviceCodesTable
  auth_revocations: AuthRevocationsTable
}
