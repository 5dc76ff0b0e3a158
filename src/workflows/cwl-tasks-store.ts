/** The one write CWL tasks need besides the engine's: the spec built at dispatch (cwl-tasks.ts). */
import type { Executor } from '../db/index.js'
import type { TaskSpec } from './types.js'

export async function updateTaskSpec(db: Executor, id: string, spec: TaskSpec): Promise<void> {
  await db
    .updateTable('workflow_tasks')
    .set({ spec: JSON.stringify(spec) })
    .where('id', '=', id)
    .execute()
}
