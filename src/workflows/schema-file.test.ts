import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { workflowSchemaJson } from './schema-file.js'

it('docs/workflow.schema.json is current (run: node --import tsx scripts/workflow-schema.ts)', () => {
  assert.equal(readFileSync('docs/workflow.schema.json', 'utf8'), workflowSchemaJson())
})
