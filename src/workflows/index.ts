/**
 * workflows: workflow definitions (YAML + JSON Schema), the DAG engine and its state machine,
 * the broker (candidates from the catalogue, gated by policy), staging through the data
 * federation and accounting. Writes compute_sites, workflows, workflow_tasks,
 * workflow_task_edges, workflow_task_events and usage_records.
 */
export { submitWorkflow, type SubmissionFacts } from './workflow-submission.js'
export { listWorkflowFiles, readWorkflowFile } from './workflow-files.js'
export { getCwlOutput } from './cwl-output.js'
export {
  getWorkflow,
  listWorkflows,
  listTasks,
  cancelWorkflow,
  retryWorkflow,
  explainTask,
  taskLogs,
} from './workflows.js'
export { workflowTenancy } from './tenancy.js'
export { WorkflowEngine, type EngineOptions } from './engine.js'
export {
  placeTask,
  batchSystems,
  type ComputeCandidate,
  type CandidateProvider,
  type UsePredicate,
  type LocalityEstimator,
  type Placement,
  type BrokerTask,
} from './broker.js'
export {
  putComputeSite,
  listComputeSites,
  computeSitesProvider,
  registerExecutorFactory,
  executorFor,
  resetExecutors,
  type ComputeSiteInput,
} from './sites.js'
export {
  LocalFileStaging,
  type Staging,
  type StageRequest,
  type StageOutRequest,
  type StageState,
} from './staging.js'
export { FederationStaging } from './federation-staging.js'
export {
  addSite,
  getSite,
  listSites,
  drainSite,
  deleteSite,
  type SiteOptions,
} from './site-bindings.js'
export { bindStorageService, listStorageBindings } from './storage-bindings.js'
export { planUseCase } from './plan.js'
export { slurmDuration } from './site-probe.js'
export { localSlurmMissing, startLocalSlurm, type LocalSlurm } from './local-slurm.js'
export { ensureDemoDataset } from './demo-data.js'
export {
  ensureDemoCatalogue,
  bindDemoWorkstation,
  bindDemoSlurm,
  demoInfrastructure,
} from './demo-sites.js'
export { forgetCatalogueView } from './catalogue-candidates.js'
export { policyGate, policyExplainer, submitAction } from './access-gate.js'
export { matchSites } from './site-expression.js'
export { localityFrom } from './data-locality.js'
export type { InputLocations } from './staging.js'
export { parseDefinition } from './definition.js'
export { expandWorkflow } from './expand.js'
export { usageReport, apelSummary, countTasksByStateAll } from './accounting.js'
export { allocationUsage } from './allocation-usage.js'
export { assertWorkdirAllowed, type WorkdirPolicy } from './workdir-policy.js'
export { endTaskLeasesOfGoneWorkers } from './gone-workers.js'
