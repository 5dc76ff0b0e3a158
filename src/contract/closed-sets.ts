/**
 * The closed sets (states, kinds) of the wire contract, apart from the schemas so that the CLI
 * can offer them as choices without loading TypeBox (~200 ms). The contract's files re-export
 * them next to the schemas built from them.
 */
export const infrastructureKinds = ['HPC', 'HTC', 'Cloud', 'Data'] as const

export const infrastructureStatuses = ['operational', 'planned', 'retired'] as const

export const didTypes = ['file', 'dataset', 'container'] as const

export const ruleGroupings = ['all', 'dataset', 'none'] as const

export const transferStates = ['queued', 'submitted', 'done', 'failed', 'cancelled'] as const

export const shareKinds = ['activity', 'community'] as const

export const workflowStates = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const

export const taskStates = [
  'waiting',
  'ready',
  'placed',
  'staging',
  'submitted',
  'running',
  'done',
  'failed',
  'retrying',
  'cancelled',
] as const
