/** The scheduler's policies (pure) and its call into the copy layer. */
export { chooseTransfers } from './fair-share.js'
export {
  classifyFailure,
  retryDelay,
  TransferFailure,
  type ClassifiedFailure,
} from './failure-classes.js'
export {
  decideLimit,
  optimiserConstants,
  type OptimiserDecision,
  type OptimiserInput,
} from './optimiser.js'
export {
  mintRemovalToken,
  mintTransferToken,
  transferScopes,
  type TokenMinter,
  type TokenRequest,
} from './transfer-tokens.js'
export { copyWithOptions, type CopyOptions } from './copy-options.js'
export {
  findRoute,
  protocolPair,
  thirdPartyCompatible,
  type Hop,
  type RouteInput,
  type RoutePlace,
  type RouteResult,
} from './routes.js'
