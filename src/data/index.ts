/**
 * data: the federation's namespace (scopes, files, datasets, containers, metadata), storage
 * endpoints and expressions, replicas. Writes data_scopes, data_dids, data_attachments,
 * storage_endpoints and data_replicas.
 */
export * from './dids.js'
export * from './endpoints.js'
export * from './replicas.js'
export { assertDid, deterministicPath, formatDid, namespacePath, parseDid, type Did as DidKey } from './did-grammar.js'
export { EndpointIndex, type ExpressionEndpoint } from './expression-evaluator.js'
export { parseExpression, formatExpression, type ExpressionNode } from './expression-parser.js'
export { parseMetaFilter, type MetaCondition } from './metadata-filter.js'
export { createDemoEndpoints } from './demo.js'
