/**
 * Entering a nested workflow on the engine (src/workflows/cwl-scopes.ts): the inputs one
 * instance of a step whose `run` is a Workflow gives that workflow — `valueFrom` evaluated,
 * `when` checked, defaults filled and types checked — as the embedded runner gives them
 * (workflow.ts, runner.ts), so that the inner steps can be run as tasks of their own.
 */
import type { Process, Step } from './document.js'
import { CwlError } from './errors.js'
import { assertFilesWithin, evaluatorFor, stepEntry, type Level } from './engine-step.js'
import { prepareInputs } from './inputs.js'

export type SubworkflowEntry =
  { skipped: true } | { skipped: false; inputs: Record<string, unknown>; outer: Level[] }

export async function enterSubworkflow(
  wf: Process,
  step: Step,
  scattered: Record<string, unknown>,
  options: { outer: Level[]; staging: string; root: string },
): Promise<SubworkflowEntry> {
  const { given, go } = await stepEntry(wf, step, scattered, options.outer)
  if (!go) return { skipped: true }
  const inner = step.run
  if (inner.class !== 'Workflow') {
    throw new CwlError('invalid', `step ${step.id} does not run a Workflow`)
  }
  const outer: Level[] = [step, wf, ...options.outer]
  const declared = new Set(inner.inputs.map((i) => i.id))
  const inputs = prepareInputs(
    inner,
    Object.fromEntries(Object.entries(given).filter(([k]) => declared.has(k))),
    {
      baseDir: wf.baseDir,
      staging: options.staging,
      outer,
      js: await evaluatorFor(inner, ...outer),
      discoverSecondary: false,
    },
  )
  assertFilesWithin(inputs, options.root)
  return { skipped: false, inputs, outer }
}
