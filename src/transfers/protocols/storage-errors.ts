/**
 * Failure classes for every protocol: errno codes, HTTP statuses, XRootD server codes and S3
 * error codes map to the same catalogue codes, so that retries and the reason shown per file do
 * not depend on the protocol. Anything unrecognised is STORAGE_ERROR (retryable).
 */
import { ContinuumError, type ErrorCode } from '../../platform/index.js'

export type StorageErrorCode = Extract<
  ErrorCode,
  | 'STORAGE_ERROR'
  | 'STORAGE_FILE_NOT_FOUND'
  | 'STORAGE_PERMISSION_DENIED'
  | 'STORAGE_FULL'
  | 'STORAGE_TIMEOUT'
  | 'STORAGE_UNREACHABLE'
  | 'CHECKSUM_MISMATCH'
>

const errnoClasses: Record<string, StorageErrorCode> = {
  ENOENT: 'STORAGE_FILE_NOT_FOUND',
  ENOTDIR: 'STORAGE_FILE_NOT_FOUND',
  EACCES: 'STORAGE_PERMISSION_DENIED',
  EPERM: 'STORAGE_PERMISSION_DENIED',
  EROFS: 'STORAGE_PERMISSION_DENIED',
  ENOSPC: 'STORAGE_FULL',
  EDQUOT: 'STORAGE_FULL',
  EFBIG: 'STORAGE_FULL',
  ETIMEDOUT: 'STORAGE_TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'STORAGE_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'STORAGE_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'STORAGE_TIMEOUT',
  TimeoutError: 'STORAGE_TIMEOUT',
  ECONNREFUSED: 'STORAGE_UNREACHABLE',
  ECONNRESET: 'STORAGE_UNREACHABLE',
  ECONNABORTED: 'STORAGE_UNREACHABLE',
  EPIPE: 'STORAGE_UNREACHABLE',
  ENOTFOUND: 'STORAGE_UNREACHABLE',
  EAI_AGAIN: 'STORAGE_UNREACHABLE',
  EHOSTUNREACH: 'STORAGE_UNREACHABLE',
  ENETUNREACH: 'STORAGE_UNREACHABLE',
  UND_ERR_SOCKET: 'STORAGE_UNREACHABLE',
  ...Object.fromEntries(
    [...tlsTrustCodes()].map((code) => [code, 'STORAGE_PERMISSION_DENIED' as const]),
  ),
}

/**
 * Node's codes for a server certificate that does not verify: not retried, like a refused
 * credential — an operator must add the CA or fix the certificate.
 */
function tlsTrustCodes(): Set<string> {
  return new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_UNTRUSTED',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_REVOKED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])
}

/** The class of a Node/undici error, looking through `cause` (fetch wraps the socket error). */
export function classifyErrno(err: unknown): StorageErrorCode {
  for (
    let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && errnoClasses[e.code]) return errnoClasses[e.code]!
    if (e.name === 'TimeoutError') return 'STORAGE_TIMEOUT'
  }
  return 'STORAGE_ERROR'
}

export function classifyHttpStatus(status: number): StorageErrorCode {
  if (status === 404 || status === 410) return 'STORAGE_FILE_NOT_FOUND'
  if (status === 401 || status === 403) return 'STORAGE_PERMISSION_DENIED'
  if (status === 507 || status === 413) return 'STORAGE_FULL'
  if (status === 408 || status === 504) return 'STORAGE_TIMEOUT'
  if (status === 502 || status === 503) return 'STORAGE_UNREACHABLE'
  return 'STORAGE_ERROR'
}

/**
 * XRootD: the server's kXR_* code in brackets in xrdcp/xrdfs messages ("[3011] … no such
 * file"), or the client's own messages for connection faults and timeouts.
 */
export function classifyXrootd(message: string): StorageErrorCode {
  const server = /\[(30\d\d)\]/.exec(message)?.[1]
  switch (server) {
    case '3011': // kXR_NotFound
      return 'STORAGE_FILE_NOT_FOUND'
    case '3010': // kXR_NotAuthorized
    case '3030': // kXR_AuthFailed
    case '3025': // kXR_fsReadOnly
      return 'STORAGE_PERMISSION_DENIED'
    case '3009': // kXR_NoSpace
    case '3021': // kXR_overQuota
      return 'STORAGE_FULL'
    case '3034': // kXR_ReqTimedOut
    case '3035': // kXR_TimerExpired
      return 'STORAGE_TIMEOUT'
    case '3019': // kXR_ChkSumErr
      return 'CHECKSUM_MISMATCH'
    case undefined:
      break
    default:
      return 'STORAGE_ERROR'
  }
  // XrdCl's words for a server certificate it cannot verify (roots://); fatal to XrdCl as well.
  if (/\bTLS error\b/i.test(message)) return 'STORAGE_PERMISSION_DENIED'
  if (/operation expired|timed? ?out/i.test(message)) return 'STORAGE_TIMEOUT'
  if (
    /connection (error|refused)|socket error|no route|name or service not known|invalid address|stream error/i.test(
      message,
    )
  ) {
    return 'STORAGE_UNREACHABLE'
  }
  if (/no such file/i.test(message)) return 'STORAGE_FILE_NOT_FOUND'
  if (/permission denied|not authorized|auth failed/i.test(message)) {
    return 'STORAGE_PERMISSION_DENIED'
  }
  if (/no space|quota/i.test(message)) return 'STORAGE_FULL'
  return 'STORAGE_ERROR'
}

const s3Classes: Record<string, StorageErrorCode> = {
  NoSuchKey: 'STORAGE_FILE_NOT_FOUND',
  NotFound: 'STORAGE_FILE_NOT_FOUND',
  NoSuchBucket: 'STORAGE_FILE_NOT_FOUND',
  NoSuchUpload: 'STORAGE_FILE_NOT_FOUND',
  AccessDenied: 'STORAGE_PERMISSION_DENIED',
  InvalidAccessKeyId: 'STORAGE_PERMISSION_DENIED',
  SignatureDoesNotMatch: 'STORAGE_PERMISSION_DENIED',
  ExpiredToken: 'STORAGE_PERMISSION_DENIED',
  InvalidToken: 'STORAGE_PERMISSION_DENIED',
  AllAccessDisabled: 'STORAGE_PERMISSION_DENIED',
  EntityTooLarge: 'STORAGE_FULL',
  QuotaExceeded: 'STORAGE_FULL',
  XMinioStorageFull: 'STORAGE_FULL',
  RequestTimeout: 'STORAGE_TIMEOUT',
  RequestTimeTooSkewed: 'STORAGE_PERMISSION_DENIED',
  SlowDown: 'STORAGE_UNREACHABLE',
  ServiceUnavailable: 'STORAGE_UNREACHABLE',
  BadDigest: 'CHECKSUM_MISMATCH',
  InvalidDigest: 'CHECKSUM_MISMATCH',
}

/** S3: the error code the server sent, else the HTTP status, else the network error. */
export function classifyS3(err: unknown): StorageErrorCode {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } }
  const code = e.Code ?? e.name
  if (code && s3Classes[code]) return s3Classes[code]
  const status = e.$metadata?.httpStatusCode
  if (status) {
    const byStatus = classifyHttpStatus(status)
    if (byStatus !== 'STORAGE_ERROR') return byStatus
  }
  return classifyErrno(err)
}

/** The error to throw: `operation url: reason`, with the URL and operation in the details. */
export function storageError(
  code: StorageErrorCode,
  operation: string,
  url: string,
  reason: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): ContinuumError {
  return new ContinuumError(
    code,
    `${operation} ${url}: ${reason}`,
    { url, operation, ...details },
    cause === undefined ? undefined : { cause },
  )
}

/** Wraps an unknown error from a Node API (fs, sockets); ContinuumErrors pass through. */
export function fromNodeError(operation: string, url: string, err: unknown): ContinuumError {
  if (err instanceof ContinuumError) return err
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = e.cause?.code ?? e.code
  if (code !== undefined && tlsTrustCodes().has(code)) {
    const reason = `TLS: the server certificate is not trusted (${code}: ${e.cause?.message ?? e.message}); add its CA (X509_CERT_DIR or the protocol's CA option)`
    return storageError('STORAGE_PERMISSION_DENIED', operation, url, reason, { tls: code }, err)
  }
  const reason = code ?? e.cause?.message ?? e.message ?? String(err)
  return storageError(classifyErrno(err), operation, url, reason, {}, err)
}

export function fromHttpStatus(
  operation: string,
  url: string,
  status: number,
  statusText = '',
): ContinuumError {
  return storageError(
    classifyHttpStatus(status),
    operation,
    url,
    `HTTP ${status}${statusText ? ` ${statusText}` : ''}`,
    { status },
  )
}
