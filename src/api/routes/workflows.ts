/** HTTP routes of workflows (submit, read, cancel, retry, explain, logs) and usage accounting. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  CwlOutputSchema,
  TaskExplanationSchema,
  TaskListQuerySchema,
  TaskLogsSchema,
  TaskPageSchema,
  TaskParamsSchema,
  Type,
  WorkflowFileContentSchema,
  WorkflowFileListSchema,
  WorkflowFileQuerySchema,
  type WorkflowFileQuery,
  UsageQuerySchema,
  UsageReportSchema,
  AllocationUsageListSchema,
  AllocationUsageQuerySchema,
  type AllocationUsageQuery,
  WorkflowListQuerySchema,
  WorkflowPageSchema,
  WorkflowParamsSchema,
  WorkflowRetrySchema,
  WorkflowSchema,
  WorkflowSubmitSchema,
  type TaskListQuery,
  type UsageQuery,
  type WorkflowListQuery,
  type WorkflowRetry,
  type WorkflowSubmit,
} from '../../contract/index.js'
import {
  apelSummary,
  cancelWorkflow,
  explainTask,
  getCwlOutput,
  getWorkflow,
  listTasks,
  listWorkflowFiles,
  listWorkflows,
  readWorkflowFile,
  retryWorkflow,
  submitWorkflow,
  taskLogs,
  usageReport,
  allocationUsage,
  type SubmissionFacts,
  type WorkdirPolicy,
} from '../../workflows/index.js'
import { routeSchema } from '../route-schema.js'
import { scopeResource, workflowResource } from './tenancy.js'

type Id = { id: string }
type TaskId = { id: string; task: string }

const workflowOf = (req: FastifyRequest) => workflowResource(req, (req.params as Id).id)

/**
 * A submission runs for its community and reads and writes the federation as its submitter:
 * each is one decision of the caller's policies (a workflow for another community, or one
 * that reads or writes another community's scopes, is refused before anything is stored).
 */
async function authorizeSubmission(request: FastifyRequest, facts: SubmissionFacts): Promise<void> {
  request.authorize('workflows.workflow.create', {
    type: 'Workflow',
    // Named by its community, so a refusal says which community was asked for.
    id: `new in ${facts.community ?? 'no community'}`,
    community: facts.community ?? '',
  })
  for (const scope of facts.reads) {
    request.authorize('data.did.read', await scopeResource(request, scope))
  }
  for (const scope of facts.writes) {
    request.authorize('data.did.create', await scopeResource(request, scope))
  }
}

export function workflowRoutes(
  app: FastifyInstance,
  { workflowsRoot, workdirPolicy }: { workflowsRoot: string; workdirPolicy: WorkdirPolicy },
): void {
  const tags = ['workflows']
  app.post<{ Body: WorkflowSubmit }>('/workflows', {
    // The community is in the YAML: the handler authorises once it is parsed.
    config: { action: 'workflows.workflow.create', deferAuthorization: true },
    schema: routeSchema({
      operationId: 'submitWorkflow',
      tags,
      summary: 'Submit a workflow (YAML text); validation errors list file, line and path',
      body: WorkflowSubmitSchema,
      response: { 201: WorkflowSchema },
    }),
    handler: async (request, reply) => {
      const workflow = await submitWorkflow(request.ctx, request.body, {
        workflowsRoot,
        workdirPolicy,
        authorize: (facts) => authorizeSubmission(request, facts),
      })
      return reply.status(201).send(workflow)
    },
  })
  app.get<{ Querystring: WorkflowListQuery }>('/workflows', {
    config: { action: 'workflows.workflow.list' },
    schema: routeSchema({
      operationId: 'listWorkflows',
      tags,
      summary: 'List workflows, newest first',
      querystring: WorkflowListQuerySchema,
      response: { 200: WorkflowPageSchema },
    }),
    handler: (request) => listWorkflows(request.ctx, request.query),
  })
  app.get<{ Params: Id }>('/workflows/:id', {
    config: { action: 'workflows.workflow.read', resource: workflowOf },
    schema: routeSchema({
      operationId: 'getWorkflow',
      tags,
      summary: 'A workflow with its tasks counted by state',
      params: WorkflowParamsSchema,
      response: { 200: WorkflowSchema },
    }),
    handler: (request) => getWorkflow(request.ctx, request.params.id),
  })
  app.post<{ Params: Id }>('/workflows/:id/cancel', {
    config: { action: 'workflows.workflow.cancel', resource: workflowOf },
    schema: routeSchema({
      operationId: 'cancelWorkflow',
      tags,
      summary: 'Cancel unfinished tasks and kill running jobs',
      params: WorkflowParamsSchema,
      response: { 200: WorkflowSchema },
    }),
    handler: (request) => cancelWorkflow(request.ctx, request.params.id),
  })
  app.post<{ Params: Id; Body: WorkflowRetry }>('/workflows/:id/retry', {
    config: { action: 'workflows.workflow.retry', resource: workflowOf },
    schema: routeSchema({
      operationId: 'retryWorkflow',
      tags,
      summary: 'Run failed and cancelled tasks again (or only those named); done tasks are kept',
      params: WorkflowParamsSchema,
      body: WorkflowRetrySchema,
      response: { 200: WorkflowSchema },
    }),
    handler: (request) => retryWorkflow(request.ctx, request.params.id, request.body),
  })
  app.get<{ Params: Id }>('/workflows/:id/files', {
    config: { action: 'workflows.workflow.read', resource: workflowOf },
    schema: routeSchema({
      operationId: 'listWorkflowFiles',
      tags,
      summary: "The regular files in the workflow's folder (its inputs and what its tasks wrote)",
      params: WorkflowParamsSchema,
      response: { 200: WorkflowFileListSchema },
    }),
    handler: (request) => listWorkflowFiles(request.ctx, request.params.id),
  })
  app.get<{ Params: Id; Querystring: WorkflowFileQuery }>('/workflows/:id/file', {
    config: { action: 'workflows.workflow.read', resource: workflowOf },
    schema: routeSchema({
      operationId: 'getWorkflowFile',
      tags,
      summary:
        "One file of the workflow's folder, base64 (a regular file inside it, at most 16 MiB)",
      params: WorkflowParamsSchema,
      querystring: WorkflowFileQuerySchema,
      response: { 200: WorkflowFileContentSchema },
    }),
    handler: (request) => readWorkflowFile(request.ctx, request.params.id, request.query.path),
  })
  app.get<{ Params: Id }>('/workflows/:id/cwl-output', {
    config: { action: 'workflows.workflow.read', resource: workflowOf },
    schema: routeSchema({
      operationId: 'getCwlOutput',
      tags,
      summary: "A succeeded CWL workflow's output object (file paths relative to its folder)",
      params: WorkflowParamsSchema,
      response: { 200: CwlOutputSchema },
    }),
    handler: (request) => getCwlOutput(request.ctx, request.params.id),
  })
  app.get<{ Params: Id; Querystring: TaskListQuery }>('/workflows/:id/tasks', {
    config: { action: 'workflows.task.list', resource: workflowOf },
    schema: routeSchema({
      operationId: 'listTasks',
      tags,
      summary: "A workflow's tasks, by name",
      params: WorkflowParamsSchema,
      querystring: TaskListQuerySchema,
      response: { 200: TaskPageSchema },
    }),
    handler: (request) => listTasks(request.ctx, request.params.id, request.query),
  })
  app.get<{ Params: TaskId }>('/workflows/:id/tasks/:task', {
    config: { action: 'workflows.task.read', resource: workflowOf },
    schema: routeSchema({
      operationId: 'explainTask',
      tags,
      summary: 'A task with its placement reasons and state history',
      params: TaskParamsSchema,
      response: { 200: TaskExplanationSchema },
    }),
    handler: (request) => explainTask(request.ctx, request.params.id, request.params.task),
  })
  app.get<{ Params: TaskId }>('/workflows/:id/tasks/:task/logs', {
    config: { action: 'workflows.task.logs', resource: workflowOf },
    schema: routeSchema({
      operationId: 'getTaskLogs',
      tags,
      summary: "The last 256 KiB of a task's stdout and stderr (latest attempt)",
      params: TaskParamsSchema,
      response: { 200: TaskLogsSchema },
    }),
    handler: (request) => taskLogs(request.ctx, request.params.id, request.params.task),
  })
  app.get<{ Querystring: UsageQuery }>('/usage', {
    config: { action: 'usage.record.list' },
    schema: routeSchema({
      operationId: 'getUsage',
      tags: ['usage'],
      summary: 'Usage summed by community, site, workflow, day or month',
      querystring: UsageQuerySchema,
      response: { 200: UsageReportSchema },
    }),
    handler: (request) => usageReport(request.ctx, request.query),
  })
  app.get<{ Querystring: AllocationUsageQuery }>('/usage/allocations', {
    config: { action: 'usage.record.list' },
    schema: routeSchema({
      operationId: 'getAllocationUsage',
      tags: ['usage'],
      summary: 'Each allocation: what it grants, what was used and is left, and its burn-down',
      querystring: AllocationUsageQuerySchema,
      response: { 200: AllocationUsageListSchema },
    }),
    handler: async (request) => ({ items: await allocationUsage(request.ctx, request.query) }),
  })
  app.get<{ Querystring: UsageQuery }>('/usage/apel', {
    config: { action: 'usage.record.export' },
    schema: routeSchema({
      operationId: 'exportUsageApel',
      tags: ['usage'],
      summary: 'Usage as an APEL summary message',
      querystring: UsageQuerySchema,
      response: { 200: Type.Object({ message: Type.String() }) },
    }),
    handler: async (request) => ({ message: await apelSummary(request.ctx, request.query) }),
  })
}
