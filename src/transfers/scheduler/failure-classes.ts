/**
 * Why a transfer attempt failed (pure): the storage protocols' catalogue codes first, then the
 * errno of a system call, then an HTTP status in the message, anywhere along the `cause` chain.
 * The class decides the retry: a missing source is retried only from another source; permission
 * and a full destination are not retried (an operator must act); the rest back off and retry.
 */
import type { FailureClass } from '../../contract/index.js'
import { ContinuumError } from '../../platform/index.js'

export interface ClassifiedFailure {
  failureClass: FailureClass
  message: string
  retryable: boolean
  /** Retry only when another source replica exists. */
  needsOtherSource: boolean
}

const byCode: Record<string, FailureClass> = {
  STORAGE_FILE_NOT_FOUND: 'source_missing',
  STORAGE_PERMISSION_DENIED: 'permission',
  STORAGE_SYMLINK_REFUSED: 'permission',
  STORAGE_FULL: 'destination_full',
  STORAGE_TIMEOUT: 'timeout',
  STORAGE_UNREACHABLE: 'network',
  CHECKSUM_MISMATCH: 'checksum_mismatch',
  STORAGE_ERROR: 'storage_error',
}

/** A failure the agent itself classifies (no usable source, no protocol for an endpoint). */
export class TransferFailure extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
  ) {
    super(message)
    this.name = 'TransferFailure'
  }
}

const byErrno: Record<string, FailureClass> = {
  ENOENT: 'source_missing',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ENOSPC: 'destination_full',
  EDQUOT: 'destination_full',
  EFBIG: 'destination_full',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNREFUSED: 'network',
  ECONNRESET: 'network',
  ECONNABORTED: 'network',
  EHOSTUNREACH: 'network',
  ENETUNREACH: 'network',
  ENOTFOUND: 'network',
  EAI_AGAIN: 'network',
  EPIPE: 'network',
  UND_ERR_SOCKET: 'network',
  UND_ERR_CLOSED: 'network',
}

function byStatus(status: number): FailureClass | undefined {
  if (status === 404 || status === 410) return 'source_missing'
  if (status === 401 || status === 403) return 'permission'
  if (status === 507 || status === 413) return 'destination_full'
  if (status === 408 || status === 504) return 'timeout'
  if (status === 502 || status === 503) return 'network'
  if (status >= 500) return 'storage_error'
  return undefined
}

const policy: Record<FailureClass, { retryable: boolean; needsOtherSource: boolean }> = {
  source_missing: { retryable: true, needsOtherSource: true },
  no_source: { retryable: false, needsOtherSource: false },
  // No direct protocol pair and no multi-hop route: an operator must open a link or mark an
  // intermediate endpoint `multihop=true`; retrying cannot help before that.
  no_route: { retryable: false, needsOtherSource: false },
  checksum_mismatch: { retryable: true, needsOtherSource: false },
  destination_full: { retryable: false, needsOtherSource: false },
  permission: { retryable: false, needsOtherSource: false },
  timeout: { retryable: true, needsOtherSource: false },
  network: { retryable: true, needsOtherSource: false },
  storage_error: { retryable: true, needsOtherSource: false },
  internal: { retryable: true, needsOtherSource: false },
}

function classOf(err: unknown): FailureClass | undefined {
  const seen = new Set<unknown>()
  for (
    let e: unknown = err;
    e && typeof e === 'object' && !seen.has(e);
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e)
    if (e instanceof TransferFailure) return e.failureClass
    if (e instanceof ContinuumError && e.code !== 'STORAGE_ERROR' && byCode[e.code]) {
      return byCode[e.code]
    }
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && byErrno[code]) return byErrno[code]
    // A ContinuumError's status is the catalogue's HTTP answer, not the storage's.
    const status =
      e instanceof ContinuumError
        ? undefined
        : ((e as { status?: unknown }).status ?? (e as { statusCode?: unknown }).statusCode)
    if (typeof status === 'number' && byStatus(status)) return byStatus(status)
    const message = (e as { message?: unknown }).message
    const http =
      typeof message === 'string' ? /\b(?:HTTP|status)\s*:?\s*([45]\d\d)\b/i.exec(message) : null
    if (http && byStatus(Number(http[1]))) return byStatus(Number(http[1]))
    // A specific catalogue code is the answer; a generic one may wrap a more specific cause.
    if (e instanceof ContinuumError && e.code !== 'INTERNAL' && e.code !== 'STORAGE_ERROR') {
      return undefined
    }
  }
  return err instanceof ContinuumError && err.code === 'STORAGE_ERROR' ? 'storage_error' : undefined
}

/** The full message along the cause chain ("fetch failed: connect ECONNREFUSED …"). */
function messageOf(err: unknown): string {
  const parts: string[] = []
  const seen = new Set<unknown>()
  for (
    let e: unknown = err;
    e && !seen.has(e) && parts.length < 4;
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e)
    const m = e instanceof Error ? e.message : typeof e === 'string' ? e : ''
    if (m && !parts.some((p) => p.includes(m))) parts.push(m)
  }
  return parts.join(': ') || 'unknown error'
}

export function classifyFailure(err: unknown): ClassifiedFailure {
  const failureClass =
    classOf(err) ??
    (err instanceof ContinuumError && err.code !== 'INTERNAL' ? 'storage_error' : 'internal')
  return { failureClass, message: messageOf(err), ...policy[failureClass] }
}

/**
 * Exponential back-off with jitter: base·2^(attempt−1), between half and all of it ("equal
 * jitter"), so that many files failing together do not come back together. Capped at `maxMs`.
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  random: () => number = Math.random,
  maxMs = 3_600_000,
): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(full / 2 + (full / 2) * random())
}
