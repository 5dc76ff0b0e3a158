/** The read CWL work reuse needs (cwl-reuse.ts): a done task of the same tenancy, with its folder. */
import type { Executor } from '../db/index.js'
import type { TaskSpec } from './types.js'

/**
 * A done task with its workflow's folder — only if that workflow belongs to `community` (or,
 * for a workflow of no community, to `owner`): what another community ran is not reused.
 */
export async function findReusableTask(
  db: Executor,
  taskId: string,
  tenancy: { community: string | null; owner: string | null },
): Promise<{ workdir: string; spec: TaskSpec } | undefined> {
  let query = db
    .selectFrom('workflow_tasks as t')
    .innerJoin('workflows as w', 'w.id', 't.workflow_id')
    .select(['t.spec', 'w.workdir'])
    .where('t.id', '=', taskId)
    .where('t.state', '=', 'done')
  query =
    tenancy.community === null
      ? query.where('w.community', 'is', null).where('w.owner', '=', tenancy.owner ?? '')
      : query.where('w.community', '=', tenancy.community)
  const row = await query.executeTakeFirst()
  if (!row) return undefined
  const spec = (typeof row.spec === 'string' ? JSON.parse(row.spec) : row.spec) as TaskSpec
  return { workdir: row.workdir, spec }
}
