/**
 * transfers: moving bytes between storage endpoints and users — the transfer queue (requests,
 * claiming with leases, links, shares, attempts and events), storage protocols (one file each),
 * verified copies, the scheduler's policies (fair share, optimiser, failure classes, tokens), the
 * transfer agent and the reapers. Writes transfer_requests, transfer_links, transfer_queues,
 * transfer_shares, transfer_attempts and transfer_events; a finished copy updates data's replicas
 * and locks through data's use cases, in the same transaction.
 */
import { plugTransferQueue } from '../data/index.js'
import { transferQueue } from './transfer-queue.js'

// The rule engine queues its copies through data's port: whoever loads this domain plugs it in.
plugTransferQueue(transferQueue)

export {
  claimTransfers,
  endTransferLeasesOfGoneWorkers,
  heartbeatTransfer,
  type ClaimSituation,
} from './transfer-claims.js'
export {
  planTransfer,
  completeTransfer,
  failTransfer,
  type AttemptReport,
  type FailureReport,
  type TransferPlan,
  type TransferSource,
} from './transfer-outcomes.js'
export {
  listTransfers,
  getTransfer,
  transferTenancy,
  transferNotFound,
} from './transfer-requests.js'
export * from './transfer-links.js'
export { pruneTransferHistory, transferredTo } from './transfer-history.js'
export type { LinkKey, QueueKey, QueueCandidate } from './queue-store.js'
export {
  ProtocolRegistry,
  PosixProtocol,
  WebdavProtocol,
  XrootdProtocol,
  S3Protocol,
  classifyErrno,
  classifyHttpStatus,
  classifyS3,
  classifyXrootd,
  type StorageProtocol,
  type OperationOptions,
  type WriteOptions,
  type ChecksumAlgorithm,
  type ThirdPartyResult,
  type XrootdOptions,
  type WebdavOptions,
  type S3Options,
  type S3Credentials,
  type StorageErrorCode,
} from './protocols/index.js'
export {
  copyVerified,
  writeVerified,
  assertDigest,
  type Expected,
  type CopyOptions,
  type CopyResult,
} from './copy.js'
export { StreamingChecksum, checksummed, digestOf, type Digest } from './checksums.js'
export { ChecksumPool, sharedChecksumPool } from './checksum-pool.js'
export { adler32Combine, formatAdler32, parseAdler32 } from './adler32-combine.js'
export { TransferAgent, type TransferAgentOptions } from './agents/transfer-agent.js'
export {
  chooseTransfers,
  classifyFailure,
  decideLimit,
  mintTransferToken,
  optimiserConstants,
  retryDelay,
  transferScopes,
  TransferFailure,
  type ClassifiedFailure,
  type OptimiserInput,
  type TokenMinter,
} from './scheduler/index.js'
export { ReaperAgent, type ReaperOptions } from './agents/reaper.js'
export { TransferHistoryAgent, type TransferHistoryOptions } from './agents/history.js'
export {
  PartialFileReaper,
  countedPartialFiles,
  type PartialFiles,
  type PartialReaperOptions,
} from './agents/partial-reaper.js'
export { uploadFile, openDownload, type UploadInput, type DownloadSource } from './upload.js'
