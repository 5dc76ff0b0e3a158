/** CWL v1.2: documents loaded and run by the embedded runner (`continuum cwl-runner`). */
export { runCwl, type CwlRunOptions } from './runner.js'
export { loadProcess, type Process } from './document.js'
export { CwlError } from './errors.js'
export { parseLenient } from './lenient-yaml.js'
