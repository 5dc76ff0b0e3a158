/** The workflow document's JSON Schema as published in docs/workflow.schema.json. */
import { WorkflowDocumentSchema } from '../contract/index.js'

export function workflowSchemaJson(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(JSON.parse(JSON.stringify(WorkflowDocumentSchema)) as object),
  }
  return `${JSON.stringify(schema, null, 2)}\n`
}
