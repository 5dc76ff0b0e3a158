#!/usr/bin/env node
// `continuum-cwl-runner`: the name CWL tooling looks for (`cwltest --tool continuum-cwl-runner`),
// the same as `continuum cwl-runner`.
process.argv.splice(2, 0, 'cwl-runner')
await import('./continuum.js')
