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

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: Timestamp
}

export type Json = ColumnType<unknown, string, string>

export interface ComputeSitesTable {
  name: string
  executor: string
  batch_system: string
  config: Json
  cores: number
  memory_per_core_mb: number
  accelerator_model: string | null
  accelerator_count: Generated<number>
  max_walltime_s: number | null
  interactive: Generated<boolean>
  container_runtimes: Json
  energy_g_co2_per_kwh: number | null
  watts_per_core: Generated<number>
  attributes: Json
  allocation_core_hours: number | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface WorkflowsTable {
  id: string
  name: string
  community: string | null
  owner: string | null
  state: string
  workdir: string
  no_cache: Generated<boolean>
  output_scope: string | null
  output_rule: string | null
  definition: string
  tasks_total: number
  tasks_done: Generated<number>
  tasks_failed: Generated<number>
  tasks_cancelled: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
  finished_at: Date | null
}

export interface WorkflowTasksTable {
  id: string
  workflow_id: string
  name: string
  state: string
  spec: Json
  pending_deps: number
  attempt: Generated<number>
  max_retries: Generated<number>
  backoff_s: Generated<number>
  not_before: Date | null
  site: string | null
  placement: ColumnType<unknown, string | null, string | null>
  attempt_id: string | null
  external_id: string | null
  cache_key: string | null
  cached: Generated<boolean>
  claimed_by: string | null
  claimed_until: Date | null
  exit_code: number | null
  reason: string | null
  started_at: Date | null
  finished_at: Date | null
  updated_at: Timestamp
}

export interface WorkflowTaskEdgesTable {
  from_task: string
  to_task: string
}

export interface WorkflowTaskEventsTable {
  id: Generated<number>
  task_id: string
  at: Date
  from_state: string | null
  to_state: string
  reason: string | null
}

export interface UsageRecordsTable {
  id: Generated<number>
  task_id: string
  workflow_id: string
  attempt: number
  community: string | null
  owner: string | null
  site: string
  batch_system: string
  cores: number
  memory_mb: number
  wall_s: number
  cpu_s: number
  energy_kwh: number
  state: string
  started_at: Date | null
  finished_at: Date
}

export interface DB {
  communities: CommunitiesTable
  infrastructures: InfrastructuresTable
  schema_migrations: SchemaMigrationsTable
  compute_sites: ComputeSitesTable
  workflows: WorkflowsTable
  workflow_tasks: WorkflowTasksTable
  workflow_task_edges: WorkflowTaskEdgesTable
  workflow_task_events: WorkflowTaskEventsTable
  usage_records: UsageRecordsTable
}
