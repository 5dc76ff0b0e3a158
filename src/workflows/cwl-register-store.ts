/** The one read output registration needs: where each CWL task of a workflow ran. */
import type { Executor } from '../db/index.js'

export async function cwlTaskSites(
  db: Executor,
  workflowId: string,
): Promise<Array<{ name: string; site: string | null; spec: unknown }>> {
  return db
    .selectFrom('workflow_tasks')
    .select(['name', 'site', 'spec'])
    .where('workflow_id', '=', workflowId)
    .execute()
}
