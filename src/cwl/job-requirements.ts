/**
 * Requirements given in the input object (`cwl:requirements`): taken out of it, and put ahead
 * of what the documents say, for the process and every process its steps run.
 */
import { requirementList, type Process, type Requirement } from './document.js'

/**
 * The process with `overrides` put first among its requirements (and those of every process
 * its steps run), replacing any of the same class: the input object's `cwl:requirements`,
 * which take precedence over whatever the documents say.
 */
export function withRequirements(process: Process, overrides: Requirement[]): Process {
  if (overrides.length === 0) return process
  const classes = new Set(overrides.map((r) => r.class))
  return {
    ...process,
    requirements: [...overrides, ...process.requirements.filter((r) => !classes.has(r.class))],
    steps: process.steps.map((s) => ({ ...s, run: withRequirements(s.run, overrides) })),
  }
}

/** The input object's own requirements (`cwl:requirements`), taken out of it. */
export function jobRequirements(job: Record<string, unknown>): Requirement[] {
  const keys = ['cwl:requirements', 'https://w3id.org/cwl/cwl#requirements']
  const found = keys.flatMap((k) => requirementList(job[k]))
  for (const k of keys) delete job[k]
  return found
}
