/** CWL v1.2: documents loaded and run by the embedded runner (`continuum cwl-runner`). */
export { runCwl, type CwlRunOptions } from './runner.js'
export { loadProcess, type Process } from './document.js'
export { CwlError } from './errors.js'
export { jobRequirements, withRequirements } from './job-requirements.js'
export { parseLenient } from './lenient-yaml.js'
export type { Step } from './document.js'
export { merge } from './workflow.js'
export { prepareInputs } from './inputs.js'
export { loadProcessWithin, readDocument } from './document.js'
export { scatterElements, gatherElements, type ScatterElements } from './engine-scatter.js'
export {
  assertFilesWithin,
  buildStepJob,
  collectStepOutputs,
  evaluatorFor,
  readExitCode,
  stepSourceValues,
  type ToolJob,
} from './engine-step.js'
export { shellQuote } from './command-line.js'
export { enterSubworkflow, type SubworkflowEntry } from './engine-subworkflow.js'
export type { Level } from './engine-step.js'
export { findRequirement } from './document.js'
export { evaluate } from './param-refs.js'
