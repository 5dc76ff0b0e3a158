/** Client calls of workflows and usage. */
import type {
  AllocationUsage,
  AllocationUsageQuery,
  CwlOutput,
  Page,
  Task,
  TaskExplanation,
  TaskListQuery,
  TaskLogs,
  UsageQuery,
  UsageReport,
  Workflow,
  WorkflowFileContent,
  WorkflowFileList,
  WorkflowListQuery,
  WorkflowRetry,
  WorkflowSubmit,
} from '../contract/index.js'
import type { HttpTransport, Loose } from './http.js'

const seg = encodeURIComponent

export class WorkflowsClient {
  constructor(private readonly http: HttpTransport) {}

  submit(input: WorkflowSubmit): Promise<Workflow> {
    return this.http.request('POST', '/workflows', { body: input })
  }

  list(query: Loose<WorkflowListQuery> = {}): Promise<Page<Workflow>> {
    return this.http.request('GET', '/workflows', { query })
  }

  get(id: string): Promise<Workflow> {
    return this.http.request('GET', `/workflows/${seg(id)}`)
  }

  cancel(id: string): Promise<Workflow> {
    return this.http.request('POST', `/workflows/${seg(id)}/cancel`)
  }

  retry(id: string, input: WorkflowRetry = {}): Promise<Workflow> {
    return this.http.request('POST', `/workflows/${seg(id)}/retry`, { body: input })
  }

  /** The regular files in the workflow's folder. */
  files(id: string): Promise<WorkflowFileList> {
    return this.http.request('GET', `/workflows/${seg(id)}/files`)
  }

  /** One file of the workflow's folder (base64 content). */
  file(id: string, path: string): Promise<WorkflowFileContent> {
    return this.http.request('GET', `/workflows/${seg(id)}/file`, { query: { path } })
  }

  /** A succeeded CWL workflow's output object (paths relative to its folder). */
  cwlOutput(id: string): Promise<CwlOutput> {
    return this.http.request('GET', `/workflows/${seg(id)}/cwl-output`)
  }

  tasks(id: string, query: Loose<TaskListQuery> = {}): Promise<Page<Task>> {
    return this.http.request('GET', `/workflows/${seg(id)}/tasks`, { query })
  }

  explain(id: string, task: string): Promise<TaskExplanation> {
    return this.http.request('GET', `/workflows/${seg(id)}/tasks/${seg(task)}`)
  }

  logs(id: string, task: string): Promise<TaskLogs> {
    return this.http.request('GET', `/workflows/${seg(id)}/tasks/${seg(task)}/logs`)
  }

  usage(query: Loose<UsageQuery> = {}): Promise<UsageReport> {
    return this.http.request('GET', '/usage', { query })
  }

  usageApel(query: Loose<UsageQuery> = {}): Promise<{ message: string }> {
    return this.http.request('GET', '/usage/apel', { query })
  }

  /** Each allocation's grants, use and burn-down (those of the caller's communities). */
  async allocationUsage(query: Loose<AllocationUsageQuery> = {}): Promise<AllocationUsage[]> {
    return (
      await this.http.request<{ items: AllocationUsage[] }>('GET', '/usage/allocations', { query })
    ).items
  }
}
