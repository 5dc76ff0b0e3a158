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
  /** Identical allowed decisions collapsed into this row (1 for a single decision). */
  count: Generated<number>
  last_at: Timestamp | null
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

export interface DataScopesTable {
  name: string
  account: string
  community_id: string | null
  public: Generated<boolean>
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
  created_by: string | null
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
  priority: Generated<number>
  comment: string
  state: string
  locks_ok: Generated<number>
  locks_replicating: Generated<number>
  locks_stuck: Generated<number>
  expires_at: Date | null
  needs_evaluation: Generated<boolean>
  claimed_by: string | null
  claimed_until: Date | null
  community: string | null
  created_by: string | null
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

export interface DataExpressionQuotasTable {
  owner: string
  expression: string
  bytes: number
  created_by: string | null
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
  source_endpoint_id: Generated<string>
  community: Generated<string>
  priority: Generated<number>
  failure_class: string | null
  created_by: Generated<string | null>
}

export interface TransferLinksTable {
  source_endpoint_id: string
  dest_endpoint_id: string
  max_active: Generated<number>
  active_limit: Generated<number>
  throughput_bps: number | null
  success_rate: number | null
  last_decision: string | null
  evaluated_at: Date | null
  created_at: Generated<Date>
  closed: Generated<boolean>
}

export interface TransferQueuesTable {
  source_endpoint_id: string
  dest_endpoint_id: string
  community: string
  activity: string
}

export interface StoragePartialFilesTable {
  endpoint_id: string
  files: number
  bytes: number
  removed_files: number
  removed_bytes: number
  counted_at: Date
}

export interface TransferSharesTable {
  kind: string
  name: string
  weight: number
}

export interface TransferAttemptsTable {
  transfer_id: string
  attempt: number
  source_endpoint_id: string | null
  dest_endpoint_id: string
  worker: string
  started_at: Date
  finished_at: Date
  bytes: number
  outcome: string
  failure_class: string | null
  message: string | null
  /** Intermediate endpoints of a multi-hop attempt, comma-separated names; null when direct. */
  via: string | null
}

export interface TransferEventsTable {
  id: Generated<number>
  transfer_id: string
  at: Date
  from_state: string | null
  to_state: string
  reason: string | null
}

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: Timestamp
}

// ----- landscape (migration 0003_landscape.sql); jsonb columns are parsed JSON -----

interface Described {
  description: Generated<string>
  source: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface SitesTable extends Described {
  id: string
  name: string
  title: string
  infrastructure_id: string
  country: string
  city: string | null
  tier: number | null
  attributes: Generated<Record<string, string>>
}

export interface ComputeServicesTable extends Described {
  id: string
  name: string
  title: string
  infrastructure_id: string
  site_id: string | null
  batch_system: string
  cores: number
  memory_per_core_gb: number | null
  accelerators: Generated<unknown[]>
  max_walltime_hours: number | null
  interactive: Generated<boolean>
  container_runtimes: Generated<string[]>
  network_egress_gbps: number | null
  energy: unknown
  attributes: Generated<Record<string, string>>
}

export interface StorageServicesTable extends Described {
  id: string
  name: string
  title: string
  infrastructure_id: string
  site_id: string | null
  media: string
  protocols: string[]
  capacity_tb: number | null
  attributes: Generated<Record<string, string>>
}

export interface SoftwareEnvironmentsTable extends Described {
  id: string
  name: string
  title: string
  kind: string
  reference: string
  compute_services: Generated<string[]>
}

export interface NetworkLinksTable extends Described {
  id: string
  name: string
  from_id: string
  to_id: string
  bandwidth_gbps: number
  latency_ms: number | null
}

export interface AccessPoliciesTable extends Described {
  id: string
  name: string
  title: string
  infrastructure_id: string
  route: string
  services: Generated<string[]>
  eligibility: unknown
  allocation_unit: string | null
  typical_size: number | null
  period_months: number | null
  renewable: Generated<boolean>
  multi_year: Generated<boolean>
  accepted_aai: Generated<string[]>
  cross_infrastructure: Generated<boolean>
  interactive: Generated<boolean>
  unattended_workflows: Generated<boolean>
  user_interfaces: Generated<string[]>
  feedback_loop: Generated<boolean>
}

export interface AllocationsTable extends Described {
  id: string
  name: string
  community_id: string
  service: string | null
  /** Expression over the catalogue's services; null: just `service`. */
  services: string | null
  amount: number
  unit: string
  /** Further amounts granted besides amount/unit: `[{ unit, amount }]`. */
  grants: Generated<Array<{ unit: string; amount: number }>>
  renewable: Generated<boolean>
  example: Generated<boolean>
  policy_id: string | null
  period_start: string | null
  period_end: string | null
  used: Generated<number>
}

export interface WorkingGroupsTable extends Described {
  id: string
  name: string
  title: string
  community_id: string
}

export interface CommunityMembersTable {
  id: string
  name: string
  community_id: string
  display_name: string
  email: string | null
  affiliation: string | null
  roles: Generated<string[]>
  working_groups: Generated<string[]>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface UseCasesTable extends Described {
  id: string
  name: string
  title: string
  community_id: string
  field: string | null
  status: Generated<string>
  profile: Generated<unknown>
}

export interface KnowledgeDocumentsTable {
  id: string
  name: string
  title: string
  url: string | null
  text: Generated<string>
  tags: Generated<string[]>
  links: Generated<unknown>
  source: string | null
  /** Generated tsvector; never written. Nullable, as the database declares it. */
  search: Generated<string | null>
  created_at: Timestamp
  updated_at: Timestamp
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
  compute_service_id: string | null
  state: Generated<string>
  accounts: Json
  environments: Json
  near_endpoints: Json
  endpoint_links: Json
  offers: Json
  validated_at: Date | null
  created_by: string | null
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
  use_case: string | null
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
  /** The allocation the task was charged to (its name), if any. */
  allocation: Generated<string | null>
  accelerators: Generated<number>
}

/** Communities of practice (migration 0017): charters, memberships, meetings, questionnaires, interviews, drafts. */
export interface PracticeChartersTable {
  id: string
  working_group_id: string
  charter: string
  adopted_by: string
  adopted_at: Timestamp
}

export interface ReleasedLocksLedgerTable {
  community: string
  endpoint_id: string
  held_from: Timestamp
  held_until: Timestamp
  bytes: number
}

export interface TransferredBytesLedgerTable {
  community: string
  endpoint_id: string
  finished_at: Timestamp
  bytes: number
}

export interface PracticeMembershipsTable {
  id: string
  working_group_id: string
  principal: string
  display_name: string
  community: string
  role: string
  added_by: string
  added_at: Timestamp
  changed_by: string | null
  changed_at: Timestamp | null
}

export interface PracticeMeetingsTable {
  id: string
  working_group_id: string
  title: string
  held_on: string
  notes: Generated<string>
  decisions: Json
  created_by: string
  created_at: Timestamp
  updated_by: string | null
  updated_at: Timestamp | null
}

export interface PracticeQuestionnairesTable {
  id: string
  name: string
  title: string
  working_group_id: string
  created_by: string
  created_at: Timestamp
}

export interface PracticeQuestionnaireVersionsTable {
  id: string
  questionnaire_id: string
  version: number
  questions: Json
  created_by: string
  created_at: Timestamp
}

export interface PracticeResponsesTable {
  id: string
  questionnaire_id: string
  version: number
  respondent: string
  community: string
  answers: Json
  submitted_at: Timestamp
}

export interface PracticeReviewsTable {
  id: string
  questionnaire_id: string
  version: number
  use_case: string
  community: string | null
  fields: Json
  before: Json
  after: Json
  responses: number
  reviewer: string
  accepted_at: Timestamp
}

export interface PracticeFindingsTable {
  id: string
  name: string
  working_group_id: string
  statement: string
  status: Generated<string>
  status_note: Generated<string>
  status_by: string | null
  status_at: Timestamp | null
  created_by: string
  created_at: Timestamp
}

export interface PracticeInterviewsTable {
  id: string
  working_group_id: string
  interviewee: string
  protocol: string
  held_on: string
  summary: Generated<string>
  created_by: string
  created_at: Timestamp
}

export interface PracticeInterviewFindingsTable {
  interview_id: string
  finding_id: string
  stance: string
  note: Generated<string>
}

export interface PracticeDraftsTable {
  id: string
  name: string
  title: string
  working_group_id: string
  body: string
  status: Generated<string>
  created_by: string
  created_at: Timestamp
  published_at: Timestamp | null
  closed_at: Timestamp | null
}

export interface PracticeCommentsTable {
  id: string
  draft_id: string
  parent_id: string | null
  author: string
  community: string | null
  body: string
  status: Generated<string>
  resolution: string | null
  resolved_by: string | null
  resolved_at: Timestamp | null
  created_at: Timestamp
}

export interface DB {
  communities: CommunitiesTable
  infrastructures: InfrastructuresTable
  schema_migrations: SchemaMigrationsTable
  policies: PoliciesTable
  audit_log: AuditLogTable
  auth_device_codes: AuthDeviceCodesTable
  auth_revocations: AuthRevocationsTable
  sites: SitesTable
  compute_services: ComputeServicesTable
  storage_services: StorageServicesTable
  software_environments: SoftwareEnvironmentsTable
  network_links: NetworkLinksTable
  access_policies: AccessPoliciesTable
  allocations: AllocationsTable
  working_groups: WorkingGroupsTable
  community_members: CommunityMembersTable
  use_cases: UseCasesTable
  knowledge_documents: KnowledgeDocumentsTable
  data_scopes: DataScopesTable
  data_dids: DataDidsTable
  data_attachments: DataAttachmentsTable
  storage_endpoints: StorageEndpointsTable
  data_replicas: DataReplicasTable
  data_rules: DataRulesTable
  data_locks: DataLocksTable
  data_quotas: DataQuotasTable
  data_expression_quotas: DataExpressionQuotasTable
  transfer_requests: TransferRequestsTable
  transfer_links: TransferLinksTable
  transfer_queues: TransferQueuesTable
  transfer_shares: TransferSharesTable
  storage_partial_files: StoragePartialFilesTable
  transfer_attempts: TransferAttemptsTable
  transfer_events: TransferEventsTable

  compute_sites: ComputeSitesTable
  workflows: WorkflowsTable
  workflow_tasks: WorkflowTasksTable
  workflow_task_edges: WorkflowTaskEdgesTable
  workflow_task_events: WorkflowTaskEventsTable
  usage_records: UsageRecordsTable
  practice_charters: PracticeChartersTable
  practice_memberships: PracticeMembershipsTable
  released_locks_ledger: ReleasedLocksLedgerTable
  transferred_bytes_ledger: TransferredBytesLedgerTable
  practice_meetings: PracticeMeetingsTable
  practice_questionnaires: PracticeQuestionnairesTable
  practice_questionnaire_versions: PracticeQuestionnaireVersionsTable
  practice_responses: PracticeResponsesTable
  practice_reviews: PracticeReviewsTable
  practice_findings: PracticeFindingsTable
  practice_interviews: PracticeInterviewsTable
  practice_interview_findings: PracticeInterviewFindingsTable
  practice_drafts: PracticeDraftsTable
  practice_comments: PracticeCommentsTable
}
