/**
 * transfers: moving bytes between storage endpoints and users — storage protocols (one file
 * each), verified copies, the scheduler's policies (fair share, optimiser, failure classes,
 * tokens), the transfer agent and the reaper. Writes no table of its own: it reports through the
 * data domain's transfer-request and transfer-link use cases.
 */
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
  type PartialFiles,
  type PartialReaperOptions,
} from './agents/partial-reaper.js'
export { uploadFile, openDownload, type UploadInput, type DownloadSource } from './upload.js'
