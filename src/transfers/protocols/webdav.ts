/**
 * HTTP/WebDAV endpoints (nginx, dCache, StoRM, EOS): GET, PUT, HEAD, DELETE, and HTTP-TPC COPY.
 * `davs://` is WebDAV over TLS, i.e. https, trusting the CAs of webdav-tls.ts. A failed PUT is
 * followed by a DELETE so that no partial file stays behind. Missing parent folders are made with
 * MKCOL where a server needs them (webdav-collections.ts). Everything goes through node:http
 * (not fetch): about twice the throughput for large bodies, and one code path for errors and
 * keep-alive.
 */
import { open } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import type { Digest } from '../checksums.js'
import { coalesce, ok, parseDigest, text } from './http-bytes.js'
import { fromHttpStatus, fromNodeError, storageError } from './storage-errors.js'
import type {
  ChecksumAlgorithm,
  OperationOptions,
  StorageProtocol,
  ThirdPartyOptions,
  ThirdPartyResult,
  WriteOptions,
} from './storage-protocol.js'
import { ParentCollections } from './webdav-collections.js'
import { rangedDownload, rangedReadDigest, type RangedSource } from './webdav-ranged.js'
import { createHttpsAgent, unpooledTls, type WebdavTlsOptions } from './webdav-tls.js'
import {
  classifyTpcFailure,
  isMissingParent,
  isTpcAccepted,
  isTpcUnsupported,
  readProgress,
  tpcVerdict,
} from './webdav-tpc.js'

function httpUrl(url: string): string {
  if (url.startsWith('davs://')) return `https://${url.slice('davs://'.length)}`
  if (url.startsWith('dav://')) return `http://${url.slice('dav://'.length)}`
  return url
}

export interface WebdavOptions extends WebdavTlsOptions {
  /** Bearer token for operations that bring none of their own. */
  token?: string | undefined
  timeoutMs?: number | undefined
}

interface RequestOptions extends OperationOptions {
  /** Names in their canonical case: XrdHttp 5.5 ignores `content-length`, `want-digest` … */
  headers?: Record<string, string>
  /** A Readable is piped as it is; other iterables are joined into large writes first. */
  body?: AsyncIterable<Uint8Array> | Readable
}

export class WebdavProtocol implements StorageProtocol {
  readonly schemes = ['http', 'https', 'dav', 'davs'] as const
  /** Destination origins that answered a COPY with "not supported": not asked again. */
  private readonly noTpc = new Set<string>()
  /** Origins that ignored `Want-Digest`: not asked again (one round trip less per file). */
  private readonly noDigest = new Set<string>()
  /** Origins that answered a PUT with 409/404 (no parent folder): parents are made before each PUT. */
  private readonly needsParents = new Set<string>()
  private readonly parents = new ParentCollections((url, options) =>
    this.send('MKCOL', url, options),
  )
  private tlsAgent: https.Agent | undefined

  /** CAs given here are checked now; $X509_CERT_DIR at the first https request. */
  constructor(private readonly options: WebdavOptions = {}) {
    if (options.ca !== undefined || options.caDir !== undefined) {
      this.tlsAgent = createHttpsAgent(options)
    }
  }

  async stat(url: string, options: OperationOptions = {}): Promise<{ bytes: number } | undefined> {
    const res = await this.send('HEAD', url, options)
    res.resume()
    if (res.statusCode === 404) return undefined
    if (!ok(res)) throw fromHttpStatus('HEAD', url, res.statusCode ?? 0, res.statusMessage)
    return { bytes: Number(res.headers['content-length'] ?? 0) }
  }

  async *read(url: string, options: OperationOptions = {}): AsyncIterable<Uint8Array> {
    const res = await this.send('GET', url, options)
    if (res.statusCode !== 200) {
      res.resume()
      throw fromHttpStatus('GET', url, res.statusCode ?? 0, res.statusMessage)
    }
    try {
      // Socket reads arrive in 64 KiB pieces; larger ones make the consumers' per-chunk work cheaper.
      yield* coalesce(res as AsyncIterable<Uint8Array>, 1 << 20)
    } catch (err) {
      throw fromNodeError('GET', url, err)
    }
  }

  async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.put(url, source, options)
  }

  /**
   * The file's read stream goes straight into the request: measured at curl's speed, where the
   * chain of async iterators that `write` takes cost a third of it (BENCHMARKS.md).
   */
  async uploadFile(localPath: string, url: string, options: WriteOptions = {}): Promise<void> {
    // Opened first, so that a missing local file fails as the source's fault, before any PUT.
    const file = await open(localPath, 'r').catch((err: unknown) => {
      throw fromNodeError('read', pathToFileURL(localPath).href, err)
    })
    const stream = file.createReadStream({ highWaterMark: 1 << 20 })
    // Closes the file when the PUT failed before reading it (a no-op once it was read).
    await this.put(url, stream, options).finally(() => stream.destroy())
  }

  /** PUT, making missing parents where the server needs them; a failure deletes what it left. */
  private async put(
    url: string,
    body: AsyncIterable<Uint8Array> | Readable,
    options: WriteOptions,
  ): Promise<void> {
    const target = httpUrl(url)
    const origin = new URL(target).origin
    try {
      if (this.needsParents.has(origin)) await this.parents.ensure(target, options)
      const res = await this.send('PUT', url, {
        ...options,
        headers:
          options.bytes === undefined
            ? { 'Transfer-Encoding': 'chunked' }
            : { 'Content-Length': String(options.bytes) },
        body,
      })
      res.resume()
      // RFC 4918 says 409 for a missing parent; some servers (rclone) say 404, which for a PUT
      // can mean nothing else. The stream is spent, so this attempt fails; from now on parents
      // come first on this server, and the transfer's retry (STORAGE_ERROR) finds the folder.
      if (res.statusCode === 409 || res.statusCode === 404) {
        this.needsParents.add(origin)
        this.parents.forget(target)
        const made = await this.parents.ensure(target, options)
        throw storageError(
          'STORAGE_ERROR',
          'PUT',
          url,
          made
            ? `parent collection was missing (HTTP ${res.statusCode}); created it with MKCOL, a retry will succeed`
            : `parent collection missing (HTTP ${res.statusCode}) and MKCOL could not create it`,
          { status: res.statusCode },
        )
      }
      if (!ok(res)) throw fromHttpStatus('PUT', url, res.statusCode ?? 0, res.statusMessage)
    } catch (err) {
      await this.delete(url, { token: options.token }).catch(() => undefined)
      throw fromNodeError('PUT', url, err)
    }
  }

  async delete(url: string, options: OperationOptions = {}): Promise<void> {
    const res = await this.send('DELETE', url, options)
    res.resume()
    if (!ok(res) && res.statusCode !== 404) {
      throw fromHttpStatus('DELETE', url, res.statusCode ?? 0, res.statusMessage)
    }
  }

  /**
   * RFC 3230 instance digests: `Want-Digest: adler32` on a HEAD, answered by `Digest:
   * adler32=<hex>` (dCache, StoRM, EOS). Servers that ignore it (nginx) give undefined.
   */
  async checksum(
    url: string,
    algorithm: ChecksumAlgorithm,
    options: OperationOptions = {},
  ): Promise<string | undefined> {
    const origin = new URL(httpUrl(url)).origin
    if (this.noDigest.has(origin)) return undefined
    const res = await this.send('HEAD', url, { ...options, headers: { 'Want-Digest': algorithm } })
    res.resume()
    if (!ok(res)) throw fromHttpStatus('HEAD', url, res.statusCode ?? 0, res.statusMessage)
    const digest = parseDigest(res.headers.digest, algorithm)
    if (digest === undefined) this.noDigest.add(origin)
    return digest
  }

  /**
   * HTTP-TPC pull mode: `COPY` on the destination with a `Source` header (and the source token
   * in `TransferHeaderAuthorization`), after MKCOL of the destination's folder (servers do not
   * create it for a COPY). A server without HTTP-TPC (nginx) has written nothing: `unsupported`,
   * remembered per destination origin. A failed pull deletes what the server left behind.
   */
  async thirdPartyCopy(
    sourceUrl: string,
    destUrl: string,
    options: ThirdPartyOptions = {},
  ): Promise<ThirdPartyResult> {
    const target = httpUrl(destUrl)
    const origin = new URL(target).origin
    if (this.noTpc.has(origin)) return 'unsupported'
    const op = { token: options.destToken, signal: options.signal }
    // Without the signal: after a cancel, the leftover must still be removed.
    const cleanup = { token: options.destToken }
    // A token scoped to the one file (the narrowest) may not cover MKCOL of its folder: XrdHttp's
    // SciTokens plug-in refuses it. The COPY may still find or make the folder; if it cannot,
    // the copy streams instead, since a PUT makes its folders under the file's own scope.
    const parentsRefused = await this.parents.ensure(target, op).then(
      () => false,
      (err: unknown) => {
        if ((err as { code?: string }).code === 'STORAGE_PERMISSION_DENIED') return true
        throw err
      },
    )
    const headers: Record<string, string> = { Source: httpUrl(sourceUrl), Overwrite: 'T' }
    if (options.sourceToken) {
      headers.TransferHeaderAuthorization = `Bearer ${options.sourceToken}`
    }
    const res = await this.send('COPY', destUrl, { ...op, headers })
    const status = res.statusCode ?? 0
    if (!isTpcAccepted(status)) {
      const body = await text(res)
      if (isTpcUnsupported(status, body)) {
        this.noTpc.add(origin)
        return 'unsupported'
      }
      if (isMissingParent(body)) {
        if (parentsRefused) return 'unsupported'
        this.parents.forget(target)
        throw storageError('STORAGE_ERROR', 'COPY', destUrl, body.trim().slice(0, 300), {
          status,
        })
      }
      throw fromHttpStatus('COPY', destUrl, status, res.statusMessage)
    }
    let verdict
    try {
      const progress = await readProgress(res)
      verdict = tpcVerdict(status, progress.lastLine, progress.sawMarkers)
    } catch (err) {
      await this.delete(destUrl, cleanup).catch(() => undefined)
      throw fromNodeError('COPY', destUrl, err)
    }
    if (verdict.ok) return 'done'
    await this.delete(destUrl, cleanup).catch(() => undefined)
    throw storageError(
      classifyTpcFailure(verdict.reason),
      'COPY',
      destUrl,
      `third-party copy from ${httpUrl(sourceUrl)} failed: ${verdict.reason}`,
      { source: httpUrl(sourceUrl), status },
    )
  }

  /** A large file is read back in parallel Range GETs (see webdav-ranged.ts). */
  async readDigest(url: string, bytes: number, options: OperationOptions = {}): Promise<Digest> {
    return rangedReadDigest(this.ranged(url, options), bytes)
  }

  /** A large file comes down in parallel Range GETs, read back as written (webdav-ranged.ts). */
  async downloadFile(
    url: string,
    localPath: string,
    options: OperationOptions = {},
  ): Promise<Digest | undefined> {
    const size = await this.stat(url, options)
    if (!size) throw fromHttpStatus('GET', url, 404, 'Not Found')
    return rangedDownload(this.ranged(url, options), size.bytes, localPath)
  }

  private ranged(url: string, options: OperationOptions): RangedSource {
    return {
      url,
      target: httpUrl(url),
      headers: this.headers(options.token),
      timeoutMs: this.options.timeoutMs ?? 3_600_000,
      signal: options.signal,
      stream: () => this.read(url, options),
    }
  }

  private headers(
    token: string | undefined,
    extra: Record<string, string> = {},
  ): Record<string, string> {
    const bearer = token ?? this.options.token
    return { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...extra }
  }

  /**
   * One request; a body is streamed in large writes. Connection faults become storage classes.
   * A request without a body that may be repeated (GET, HEAD, PROPFIND, DELETE, OPTIONS) and was
   * cut before any answer on a kept-alive connection is sent once more on a new one: the server
   * closed that connection while it sat idle in the pool, so the request never reached it.
   */
  private async send(
    method: string,
    url: string,
    options: RequestOptions = {},
  ): Promise<http.IncomingMessage> {
    try {
      return await this.sendOnce(method, url, options)
    } catch (err) {
      if (!(err instanceof StaleConnection)) throw err
      return this.sendOnce(method, url, options, false)
    }
  }

  private async sendOnce(
    method: string,
    url: string,
    options: RequestOptions,
    mayRetry = true,
  ): Promise<http.IncomingMessage> {
    const target = new URL(httpUrl(url))
    const secure = target.protocol === 'https:'
    // The second try takes a connection of its own: the pool may hold more that the server closed.
    const connection = mayRetry
      ? secure
        ? { agent: (this.tlsAgent ??= createHttpsAgent(this.options)) }
        : {}
      : secure
        ? unpooledTls(this.options)
        : { agent: false as const }
    const req = (secure ? https : http).request(target, {
      ...connection,
      method,
      headers: this.headers(
        options.token,
        mayRetry ? options.headers : { ...options.headers, Connection: 'close' },
      ),
      timeout: this.options.timeoutMs ?? 3_600_000,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    // A server may refuse an upload before reading its body and close the connection: its answer,
    // when it was read before the reset, says what went wrong (else the reset: a network fault).
    let answered: http.IncomingMessage | undefined
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', (res: http.IncomingMessage) => resolve((answered = res)))
      req.once('error', reject)
      req.once('timeout', () =>
        req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      )
    })
    // Awaited below; a failed upload rejects it too, which must not count as unhandled.
    response.catch(() => undefined)
    try {
      if (options.body instanceof Readable) {
        await pipeline(options.body, req)
      } else if (options.body) {
        await pipeline(
          Readable.from(coalesce(options.body, 4 << 20), {
            objectMode: false,
            highWaterMark: 4 << 20,
          }),
          req,
        )
      } else {
        req.end()
      }
      const res = await response
      // XrdHttp 5.5 resets the next upload on a connection that answered an error (seen after a
      // DELETE of a missing file): such a connection is closed instead of going back to the pool.
      if ((res.statusCode ?? 0) >= 400) {
        const socket = res.socket
        res.once('end', () => socket.destroy())
      }
      return res
    } catch (err) {
      req.destroy()
      if (answered && (answered.statusCode ?? 0) >= 400) return answered
      const code = (err as NodeJS.ErrnoException).code
      if (
        mayRetry &&
        req.reusedSocket &&
        !answered &&
        options.body === undefined &&
        repeatable.has(method) &&
        (code === 'ECONNRESET' || code === 'EPIPE')
      ) {
        throw new StaleConnection()
      }
      throw fromNodeError(method, url, err)
    }
  }
}

const repeatable = new Set(['GET', 'HEAD', 'PROPFIND', 'DELETE', 'OPTIONS'])

/** A kept-alive connection the server had closed: the request is sent again on a new one. */
class StaleConnection extends Error {}
