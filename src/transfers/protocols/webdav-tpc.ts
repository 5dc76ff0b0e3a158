/**
 * Reading an HTTP-TPC answer (the WLCG "HTTP third-party copy" convention that XrdHttp, dCache,
 * StoRM and EOS implement): COPY answers 201 or 202 and then streams performance markers while
 * the destination pulls; the copy's outcome is the body's last line, `success: …` or
 * `failure: <reason>`, so the status line alone says nothing. A server without HTTP-TPC refuses
 * the COPY before writing anything.
 */
import type http from 'node:http'
import { classifyHttpStatus, classifyXrootd, type StorageErrorCode } from './storage-errors.js'

export type TpcVerdict = { ok: true } | { ok: false; reason: string }

/** Statuses after which the body carries the outcome. */
export function isTpcAccepted(status: number): boolean {
  return status === 201 || status === 202 || status === 204
}

/**
 * A refusal meaning "no HTTP-TPC here" (nothing written): nginx answers 400 or 409 asking for a
 * `Destination`, others 405 or 501. XrdHttp's 400 for a missing parent folder is not one.
 */
export function isTpcUnsupported(status: number, body: string): boolean {
  if (status === 400 && isMissingParent(body)) return false
  return [400, 405, 501].includes(status) || (status === 409 && /destination/i.test(body))
}

/** XrdHttp: `400 Unable to create /a/b/f; no such file or directory` — the folder is missing. */
export function isMissingParent(body: string): boolean {
  return /unable to create .*no such file or directory/i.test(body)
}

/**
 * What the progress stream says. Without markers, a 201/204 is a synchronous copy that is done;
 * a marker stream (or a 202) that ends without its verdict line was cut off: a failure.
 */
export function tpcVerdict(status: number, lastLine: string, sawMarkers: boolean): TpcVerdict {
  if (/^success\b/i.test(lastLine)) return { ok: true }
  const failure = /^failure:?\s*(.*)$/i.exec(lastLine)
  if (failure) return { ok: false, reason: failure[1]?.trim() || 'no reason given' }
  if (status === 202 || sawMarkers) {
    return { ok: false, reason: 'the progress stream ended without success or failure' }
  }
  return { ok: true }
}

/**
 * The class of a TPC failure line: the remote side's HTTP status when it is quoted ("Remote side
 * failed with status code 404", dCache's "rejected GET: 404"), else the wording (XrdHttp's TPC
 * handler words its errors as XRootD does, so that classifier reads them).
 */
export function classifyTpcFailure(reason: string): StorageErrorCode {
  const status =
    /status code (\d{3})\b/i.exec(reason)?.[1] ??
    /\b(?:GET|HTTP(?:\/[\d.]+)?)[:\s]+(\d{3})\b/.exec(reason)?.[1]
  if (status !== undefined) {
    const byStatus = classifyHttpStatus(Number(status))
    if (byStatus !== 'STORAGE_ERROR') return byStatus
  }
  return classifyXrootd(reason)
}

/** The last non-empty line of a progress stream (only a tail is kept: copies can run for hours). */
export async function readProgress(
  res: http.IncomingMessage,
): Promise<{ lastLine: string; sawMarkers: boolean }> {
  let tail = ''
  let sawMarkers = false
  for await (const chunk of res) {
    tail += String(chunk)
    if (!sawMarkers && /perf marker/i.test(tail)) sawMarkers = true
    if (tail.length > 16_384) tail = tail.slice(-4096)
  }
  const lines = tail.split('\n').map((l) => l.trim())
  return { lastLine: lines.filter(Boolean).pop() ?? '', sawMarkers }
}
