/**
 * The typed HTTP client's transport: one `request` that sends JSON, adds the bearer token and a
 * request id, and turns `{error:{…}}` answers back into the same ContinuumError the server threw.
 * Works in Node and in browsers (uses only fetch).
 */
import { ContinuumError, isErrorCode, newId } from '../platform/browser.js'

export interface ClientOptions {
  /** API base URL, e.g. http://127.0.0.1:8080 */
  server: string
  token?: string | undefined
  fetch?: typeof fetch
  /** Per-request timeout in milliseconds (default 60 s). */
  timeoutMs?: number
}

export type Query = Record<string, string | number | boolean | undefined>

/** A query type whose optional fields may also be given as undefined (= not set). */
export type Loose<T> = { [K in keyof T]?: T[K] | undefined }

export class HttpTransport {
  readonly server: string
  private readonly token: string | undefined
  private readonly fetchImpl: typeof fetch
  private readonly timeoutMs: number

  constructor(options: ClientOptions) {
    this.server = options.server.replace(/\/+$/, '')
    this.token = options.token
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.timeoutMs = options.timeoutMs ?? 60_000
  }

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const url = new URL(this.server + path)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': newId() }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (cause) {
      if ((cause as Error).name === 'TimeoutError') {
        throw new ContinuumError(
          'TIMEOUT',
          `${method} ${url.pathname} took longer than ${this.timeoutMs} ms`,
          { server: this.server },
          { cause },
        )
      }
      throw new ContinuumError(
        'SERVER_UNREACHABLE',
        `cannot reach the Continuum server at ${this.server}: ${describeCause(cause)}`,
        { server: this.server },
        { cause },
      )
    }
    const text = await response.text()
    const parsed = text === '' ? undefined : safeJson(text)
    if (!response.ok) throw toError(response, parsed, text)
    // Reports come back as Markdown or HTML: text answers are returned as text.
    const type = response.headers.get('content-type') ?? ''
    if (text !== '' && !type.includes('json')) return text as T
    return parsed as T
  }

  /**
   * A request whose body or answer is a byte stream (uploads, downloads): returns the Response
   * on success for the caller to stream; errors become ContinuumErrors as for `request`.
   */
  async stream(
    method: string,
    path: string,
    options: {
      query?: Query
      body?: BodyInit
      headers?: Record<string, string>
      timeoutMs?: number
    } = {},
  ): Promise<Response> {
    const url = new URL(this.server + path)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    const headers: Record<string, string> = { 'x-request-id': newId(), ...options.headers }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    let response: Response
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: options.body, duplex: 'half' }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 24 * 3_600_000),
      })
    } catch (cause) {
      throw new ContinuumError(
        'SERVER_UNREACHABLE',
        `cannot reach the Continuum server at ${this.server}: ${describeCause(cause)}`,
        { server: this.server },
        { cause },
      )
    }
    if (!response.ok) {
      const text = await response.text()
      throw toError(response, text === '' ? undefined : safeJson(text), text)
    }
    return response
  }
}

function toError(response: Response, parsed: unknown, text: string): ContinuumError {
  const body = (
    parsed as
      | { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } }
      | undefined
  )?.error
  if (body && typeof body.message === 'string') {
    const details = {
      ...(body.details as Record<string, unknown> | undefined),
      ...(typeof body.requestId === 'string' ? { requestId: body.requestId } : {}),
    }
    if (isErrorCode(body.code)) return new ContinuumError(body.code, body.message, details)
    // A newer server may know codes this client does not; keep it visible.
    return new ContinuumError(
      response.status >= 500 ? 'INTERNAL' : 'MALFORMED_REQUEST',
      body.message,
      { ...details, remoteCode: body.code },
    )
  }
  return new ContinuumError(
    response.status >= 500 ? 'INTERNAL' : 'MALFORMED_REQUEST',
    `HTTP ${response.status} from server: ${text.slice(0, 200)}`,
    { status: response.status },
  )
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } }).cause
  return inner?.code ?? inner?.message ?? (cause as Error).message
}
