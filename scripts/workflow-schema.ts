// Writes docs/workflow.schema.json, the JSON Schema of workflow documents, from the contract
// (a unit test checks that the file is current). Editors use it for completion and checking.
import { writeFileSync } from 'node:fs'
import { workflowSchemaJson } from '../src/workflows/schema-file.js'

writeFileSync('docs/workflow.schema.json', workflowSchemaJson())
