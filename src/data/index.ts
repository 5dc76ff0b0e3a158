/**
 * data: the federation's namespace (scopes, files, datasets, containers, metadata), storage
 * endpoints and expressions, replicas, replication rules, locks, quotas, lifetimes and the
 * transfer requests the rules create. Writes data_scopes, data_dids, data_attachments,
 * storage_endpoints, data_replicas, data_rules, data_locks, data_quotas, transfer_requests and the scheduler's transfer_links, transfer_queues,
 * transfer_shares, transfer_attempts, transfer_events.
 */
export * from './dids.js'
export * from './endpoints.js'
export {
  addressRange,
  assertEndpointUrl,
  configureEndpointUrls,
  endpointNetworks,
  type EndpointNetwork,
  type EndpointUrlPolicy,
} from './endpoint-urls.js'
export * from './replicas.js'
export * from './rules.js'
export { placeLocks, placementPageSize } from './rule-locks.js'
export * from './transfer-requests.js'
export * from './transfer-links.js'
export { pruneTransferHistory } from './transfer-history.js'
export type { LinkKey, QueueKey, QueueCandidate } from './transfer-queue-store.js'
export * from './lifetimes.js'
export {
  assertDid,
  deterministicPath,
  formatDid,
  namespacePath,
  parseDid,
  type Did as DidKey,
} from './did-grammar.js'
export { EndpointIndex, type ExpressionEndpoint } from './expression-evaluator.js'
export { parseExpression, formatExpression, type ExpressionNode } from './expression-parser.js'
export { parseMetaFilter, type MetaCondition } from './metadata-filter.js'
export { createDemoEndpoints } from './demo.js'
export { RuleEvaluatorAgent } from './agents/rule-evaluator.js'
