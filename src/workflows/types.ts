/** Domain types of workflows: the stored task spec and the task state machine. */
import type { TaskState } from '../contract/index.js'
import type { CwlTaskRef } from './cwl-plan.js'
import type { TaskResources } from './expand.js'

/** What a task row's `spec` column holds: everything needed to run it, fixed at submission. */
export interface TaskSpec {
  group: string
  index: number | null
  argv: string[]
  env: Record<string, string>
  image: string | null
  environment: string | null
  resources: TaskResources
  inputs: string[]
  outputs: string[]
  needs: string[]
  retries: number
  site: string | null
  exclude: string | null
  cache: boolean
  /** A CWL step: its command is built when it is dispatched (cwl-tasks.ts). */
  cwl?: CwlTaskRef
  /** The task that registers a CWL workflow's output files into a scope (cwl-register.ts). */
  cwlRegister?: boolean
}

/** States in which a task holds a lease: a worker is placing, staging or watching it. */
export const activeStates = [
  'placed',
  'staging',
  'submitted',
  'running',
] as const satisfies readonly TaskState[]
export const terminalStates = [
  'done',
  'failed',
  'cancelled',
] as const satisfies readonly TaskState[]

/** The task state machine; the engine refuses any other move. */
export const taskTransitions: Record<TaskState, readonly TaskState[]> = {
  waiting: ['ready', 'cancelled'],
  ready: ['placed', 'done', 'failed', 'cancelled'],
  placed: ['staging', 'submitted', 'failed', 'cancelled'],
  staging: ['submitted', 'failed', 'retrying', 'cancelled'],
  submitted: ['running', 'done', 'failed', 'retrying', 'ready', 'cancelled'],
  running: ['done', 'failed', 'retrying', 'ready', 'cancelled'],
  retrying: ['placed', 'ready', 'failed', 'cancelled'],
  done: [],
  failed: ['ready', 'waiting'],
  cancelled: ['ready', 'waiting'],
}

export function canMove(from: TaskState, to: TaskState): boolean {
  return taskTransitions[from].includes(to)
}
