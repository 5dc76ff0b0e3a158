/**
 * HTTP/WebDAV endpoints (nginx, dCache, StoRM, EOS): GET, PUT, HEAD, DELETE, MKCOL. `davs://`
 * is WebDAV over TLS, i.e. https. A failed PUT is followed by a DELETE so that no partial file
 * stays behind.
 */
import { Readable } from 'node:stream'
import { ContinuumError } from '../../platform/index.js'
import type { StorageProtocol } from './storage-protocol.js'

function httpUrl(url: string): string {
  if (url.startsWith('davs://')) return `https://${url.slice('davs://'.length)}`
  if (url.startsWith('dav://')) return `http://${url.slice('dav://'.length)}`
  return url
}

export class WebdavProtocol implements StorageProtocol {
  readonly schemes = ['http', 'https', 'dav', 'davs'] as const

  constructor(private readonly options: { token?: string; timeoutMs?: number } = {}) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...extra,
    }
  }

  async stat(url: string): Promise<{ bytes: number } | undefined> {
    const res = await this.request(url, { method: 'HEAD' })
    if (res.status === 404) return undefined
    if (!res.ok) throw httpError(url, 'HEAD', res)
    return { bytes: Number(res.headers.get('content-length') ?? 0) }
  }

  async *read(url: string): AsyncIterable<Uint8Array> {
    const res = await this.request(url, { method: 'GET' })
    if (!res.ok || !res.body) throw httpError(url, 'GET', res)
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) yield chunk
  }

  async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: { bytes?: number } = {},
  ): Promise<void> {
    try {
      const res = await this.put(url, source, options.bytes)
      await res.body?.cancel()
      if (res.status === 409) {
        throw new ContinuumError(
          'STORAGE_ERROR',
          `PUT ${url}: parent collection missing (409); the server must create parents (nginx: create_full_put_path on)`,
          { url, status: 409 },
        )
      }
      if (!res.ok) throw httpError(url, 'PUT', res)
    } catch (err) {
      await this.delete(url).catch(() => undefined)
      if (err instanceof ContinuumError) throw err
      throw new ContinuumError(
        'STORAGE_ERROR',
        `PUT ${url}: ${(err as Error).message}`,
        { url },
        { cause: err },
      )
    }
  }

  private put(url: string, source: AsyncIterable<Uint8Array>, bytes?: number): Promise<Response> {
    const body = Readable.toWeb(Readable.from(source)) as ReadableStream<Uint8Array>
    return this.request(url, {
      method: 'PUT',
      body,
      headers: this.headers(bytes === undefined ? {} : { 'content-length': String(bytes) }),
      duplex: 'half',
    } as RequestInit)
  }

  async delete(url: string): Promise<void> {
    const res = await this.request(url, { method: 'DELETE' })
    await res.body?.cancel()
    if (!res.ok && res.status !== 404) throw httpError(url, 'DELETE', res)
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(httpUrl(url), {
        headers: this.headers(),
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_600_000),
      })
    } catch (err) {
      throw new ContinuumError(
        'STORAGE_ERROR',
        `${init.method ?? 'GET'} ${url}: ${describe(err)}`,
        { url },
        { cause: err },
      )
    }
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message
}

function httpError(url: string, method: string, res: Response): ContinuumError {
  return new ContinuumError(
    'STORAGE_ERROR',
    `${method} ${url}: HTTP ${res.status} ${res.statusText}`,
    { url, status: res.status },
  )
}
