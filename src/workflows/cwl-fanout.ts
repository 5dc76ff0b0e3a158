/**
 * A scatter over upstream outputs as one task per element (issue 19): how many elements there
 * are is known only when the step is dispatched, so its task fans out then — it adds one task
 * per element beside itself (`size[0]`, `size[1]`, …, each placed, confined and reused on its
 * own), each needed by whatever the step's task releases, and itself runs nothing. Its record
 * names the elements' folders, from which the step's outputs are gathered (cwl-scopes.ts).
 */
import { rmSync } from 'node:fs'
import type { Executor } from '../db/index.js'
import { newId } from '../platform/index.js'
import { cwlRecords, writeRecord } from './cwl-plan.js'
import type { StepRecord } from './cwl-scopes.js'
import { addTasksBeside } from './cwl-tasks-store.js'
import type { ClaimedTask } from './task-leases-store.js'
import type { TaskSpec } from './types.js'

/** The folder of element `k` of a fanned-out task (`@` never occurs in a planned folder). */
const elementDir = (dir: string, k: number) => `${dir}@${k}`

/** The step task's spec once it fanned out into `count` elements: it runs nothing. */
export function fanOutSpec(
  workdir: string,
  spec: TaskSpec,
  count: number,
  shape: { dims: number[]; method: string },
): TaskSpec {
  const ref = spec.cwl!
  const record: StepRecord = {
    ...shape,
    first: 0,
    elements: [],
    fanout: Array.from({ length: count }, (_, k) => elementDir(ref.dir, k)),
  }
  rmSync(cwlRecords.outputs(workdir, ref.dir), { force: true })
  writeRecord(cwlRecords.job(workdir, ref.dir), record)
  return {
    ...spec,
    argv: ['true'],
    inputs: [],
    outputs: [],
    cache: false,
    cwl: { ...ref, fanout: count },
  }
}

/** Adds the element tasks of a step task that has just fanned out (`submitted`: its spec then). */
export async function addFanOutTasks(
  db: Executor,
  row: ClaimedTask,
  submitted: TaskSpec,
  count: number,
  now: Date,
): Promise<void> {
  const ref = submitted.cwl!
  const rows = Array.from({ length: count }, (_, k) => {
    const spec: TaskSpec = {
      ...submitted,
      index: k,
      needs: [],
      cwl: {
        step: ref.step,
        element: k,
        dir: elementDir(ref.dir, k),
        ...(ref.scope ? { scope: ref.scope } : {}),
      },
    }
    return {
      id: newId(),
      workflow_id: row.workflow_id,
      name: `${row.name}[${k}]`,
      state: 'ready',
      spec: JSON.stringify(spec),
      pending_deps: 0,
      max_retries: row.max_retries,
      backoff_s: row.backoff_s,
      updated_at: now,
    }
  })
  await addTasksBeside(db, row, rows, now)
}
