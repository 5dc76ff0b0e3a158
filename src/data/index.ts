/**
 * data: the federation's namespace (scopes, files, datasets, containers, metadata), storage
 * endpoints and expressions, replicas, replication rules, locks, quotas and lifetimes. Writes
 * data_scopes, data_dids, data_attachments, storage_endpoints, data_replicas, data_rules,
 * data_locks, data_quotas. The copies rules need go to the transfer queue through the
 * `TransferQueue` port (transfer-queue.ts), which the transfers domain plugs in.
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
export { coveredEndpoints, heldUnder } from './allocation-storage.js'
export { placeLocks, placementPageSize } from './rule-locks.js'
export { placementCandidates } from './placement-candidates.js'
export { chooseEndpoints, type PlacementEndpoint, type PlacementFile } from './rule-placement.js'
export {
  plugTransferQueue,
  type NewTransfer,
  type RetryingTransfer,
  type TransferQueue,
} from './transfer-queue.js'
export {
  anySource,
  chooseSource,
  findCopyPlaces,
  findSourceFor,
  type CopyPlaces,
} from './transfer-sources.js'
export { completeReplicaCopy, failReplicaCopy, type CopiedReplica } from './replica-copies.js'
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
