/**
 * A small client for an ARC CE's REST interface (A-REX, `/arex/rest/1.0`): submit job
 * descriptions, ask many jobs' status or info in one call, kill and clean, and read or write
 * files in a job's session folder. Authenticates with a bearer token (WLCG/SciTokens) or a
 * client certificate, and trusts the CE's host certificate through the CA given (a grid CA or a
 * site's test CA). Every call has a deadline: a CE that hangs fails the call, not the engine.
 */
import { createWriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import https from 'node:https'
import { pipeline } from 'node:stream/promises'
import { ContinuumError } from '../platform/index.js'

export interface ArcCredentials {
  /** PEM of the CA(s) that sign the CE's host certificate. */
  ca?: string | Buffer
  /** Client certificate and key (PEM), when the CE maps certificate subjects. */
  cert?: string | Buffer
  key?: string | Buffer
  /** Bearer token, when the CE accepts tokens. */
  token?: string
}

/** One job's answer in a bulk call: A-REX answers each job separately, with its own code. */
export interface ArcJobAnswer {
  id: string
  status: number
  reason: string
  state?: string
  info?: Record<string, unknown>
}

export interface SessionListing {
  files: string[]
  dirs: string[]
}

const defaultTimeoutMs = 30_000
/** JSON answers are small (a thousand jobs' states); anything larger is not A-REX talking. */
const maxJsonBytes = 16 * 1024 * 1024

export class ArcRestClient {
  private readonly agent: https.Agent
  private readonly base: URL
  /** Calls made, for tests and the benchmark of polling cost. */
  calls = 0

  constructor(
    endpoint: string,
    private readonly credentials: ArcCredentials,
    private readonly timeoutMs = defaultTimeoutMs,
  ) {
    const url = new URL(endpoint)
    if (url.protocol !== 'https:') {
      throw new ContinuumError('VALIDATION_FAILED', `ARC CE endpoint must be https: ${endpoint}`, {
        endpoint,
      })
    }
    this.base = new URL(`${url.pathname.replace(/\/+$/, '')}/rest/1.0/`, url)
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      ...(credentials.ca ? { ca: credentials.ca } : {}),
      ...(credentials.cert ? { cert: credentials.cert } : {}),
      ...(credentials.key ? { key: credentials.key } : {}),
    })
  }

  close(): void {
    this.agent.destroy()
  }

  /** Submits one or more job descriptions (one xRSL text); answers in the same order. */
  async submit(description: string): Promise<ArcJobAnswer[]> {
    const body = await this.json('POST', 'jobs?action=new', description, 'application/rsl')
    return jobAnswers(body)
  }

  async status(ids: readonly string[]): Promise<ArcJobAnswer[]> {
    return this.bulk('status', ids)
  }

  async info(ids: readonly string[]): Promise<ArcJobAnswer[]> {
    return this.bulk('info', ids)
  }

  async kill(ids: readonly string[]): Promise<ArcJobAnswer[]> {
    return this.bulk('kill', ids)
  }

  async clean(ids: readonly string[]): Promise<ArcJobAnswer[]> {
    return this.bulk('clean', ids)
  }

  /** The CE's GLUE2 description of itself (its shares, batch system, CPUs). */
  async serviceInfo(): Promise<Record<string, unknown>> {
    return (await this.json('GET', 'info?schema=glue2')) as Record<string, unknown>
  }

  /** Every job this user has on the CE. */
  async list(): Promise<string[]> {
    const body = await this.json('GET', 'jobs')
    return jobAnswers(body).map((j) => j.id)
  }

  async listSession(id: string, dir = ''): Promise<SessionListing> {
    const body = (await this.json('GET', sessionPath(id, dir, true))) as Record<string, unknown>
    return { files: asStrings(body.file), dirs: asStrings(body.dir) }
  }

  /** Streams a session file to `target`, refusing more than `maxBytes`. Returns its size. */
  async download(id: string, file: string, target: string, maxBytes: number): Promise<number> {
    const res = await this.send('GET', sessionPath(id, file, false), undefined, undefined, '*/*')
    if (res.statusCode !== 200) {
      res.resume()
      throw unavailable(`GET session file ${file} of job ${id}: HTTP ${res.statusCode}`)
    }
    let size = 0
    res.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        res.destroy(
          new ContinuumError(
            'VALIDATION_FAILED',
            `output ${file} of ARC job ${id} is larger than the ${maxBytes}-byte limit`,
            { file, maxBytes },
          ),
        )
      }
    })
    await pipeline(res, createWriteStream(target, { flags: 'w', mode: 0o600 }))
    return size
  }

  /** Writes a file into the job's session folder (an input only this side has). */
  async upload(id: string, file: string, data: Buffer): Promise<void> {
    const res = await this.send(
      'PUT',
      sessionPath(id, file, false),
      data,
      'application/octet-stream',
      '*/*',
    )
    await readBody(res, maxJsonBytes)
    if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
      throw unavailable(`PUT session file ${file} of job ${id}: HTTP ${res.statusCode}`)
    }
  }

  /** A session file's text (logs), at most `maxBytes` of its end; '' when it is not there. */
  async readText(id: string, file: string, maxBytes: number): Promise<string> {
    return this.textAt(sessionPath(id, file, false), maxBytes)
  }

  /** Diagnostics A-REX keeps per job (`errors`: its state changes and the LRMS script's output). */
  async diagnose(id: string, what: 'errors' | 'diag'): Promise<string> {
    return this.textAt(`jobs/${checkedId(id)}/diagnose/${what}`, 64 * 1024).catch(() => '')
  }

  private async textAt(path: string, maxBytes: number): Promise<string> {
    const res = await this.send('GET', path, undefined, undefined, '*/*')
    // Logs may be large: keep reading, but only the end is kept.
    const body = await readBody(res, Number.MAX_SAFE_INTEGER, maxBytes)
    return res.statusCode === 200 ? body.toString('utf8') : ''
  }

  private async bulk(action: string, ids: readonly string[]): Promise<ArcJobAnswer[]> {
    if (ids.length === 0) return []
    const body = JSON.stringify({ job: ids.map((id) => ({ id })) })
    return jobAnswers(await this.json('POST', `jobs?action=${action}`, body, 'application/json'))
  }

  private async json(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<unknown> {
    const res = await this.send(method, path, body, contentType, 'application/json')
    const text = (await readBody(res, maxJsonBytes)).toString('utf8')
    const code = res.statusCode ?? 0
    if (code === 401 || code === 403) {
      throw new ContinuumError(
        'EXECUTOR_UNAVAILABLE',
        `ARC CE ${this.base.origin} refused our credentials (HTTP ${code})`,
        { endpoint: this.base.origin, status: code },
      )
    }
    if (code < 200 || code >= 300) {
      throw unavailable(`${method} ${path}: HTTP ${code} ${text.slice(0, 300)}`)
    }
    // A-REX answers an empty body, not `{}`, for a user with no jobs yet.
    if (text.trim() === '') return {}
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw unavailable(`${method} ${path}: not JSON: ${text.slice(0, 200)}`)
    }
  }

  private send(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    contentType: string | undefined,
    accept: string,
  ): Promise<IncomingMessage> {
    this.calls++
    const url = new URL(path, this.base)
    const headers: Record<string, string> = { accept }
    if (contentType) headers['content-type'] = contentType
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`
    return new Promise((resolve, reject) => {
      let req: ReturnType<typeof https.request>
      try {
        req = https.request(url, { method, headers, agent: this.agent }, resolve)
      } catch (err) {
        // TLS settings are checked here: a key that is not the certificate's, a bad PEM.
        reject(
          new ContinuumError(
            'CONFIG_INVALID',
            `ARC CE ${this.base.origin}: the credentials cannot be used: ${(err as Error).message}`,
            { endpoint: this.base.origin },
          ),
        )
        return
      }
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(
          unavailable(`${method} ${url.pathname}: no answer within ${this.timeoutMs} ms`),
        ),
      )
      req.on('error', (err) =>
        reject(
          err instanceof ContinuumError
            ? err
            : unavailable(`${method} ${url.pathname}: ${err.message}`, err),
        ),
      )
      req.end(body)
    })
  }
}

function unavailable(message: string, cause?: unknown): ContinuumError {
  return new ContinuumError('EXECUTOR_UNAVAILABLE', `ARC CE: ${message}`, {}, { cause })
}

/** Session paths are built from names A-REX listed or the engine chose; each part is encoded. */
function checkedId(id: string): string {
  if (!/^[A-Za-z0-9]{1,200}$/.test(id)) throw unavailable(`not an ARC job id: '${id}'`)
  return id
}

function sessionPath(id: string, file: string, directory: boolean): string {
  checkedId(id)
  const parts = file.split('/').filter((p) => p !== '')
  for (const p of parts) {
    if (p === '.' || p === '..' || p.includes('\u0000')) {
      throw unavailable(`unsafe session path '${file}' of job ${id}`)
    }
  }
  const encoded = parts.map(encodeURIComponent).join('/')
  return `jobs/${id}/session/${encoded}${directory && encoded ? '/' : ''}`
}

async function readBody(
  res: IncomingMessage,
  maxBytes: number,
  keepLast = maxBytes,
): Promise<Buffer> {
  let chunks: Buffer[] = []
  let size = 0
  let kept = 0
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      res.destroy()
      throw unavailable(`answer larger than ${maxBytes} bytes`)
    }
    chunks.push(chunk)
    kept += chunk.length
    if (kept > 2 * keepLast) {
      const all = Buffer.concat(chunks)
      chunks = [all.subarray(all.length - keepLast)]
      kept = keepLast
    }
  }
  const all = Buffer.concat(chunks)
  return all.length > keepLast ? all.subarray(all.length - keepLast) : all
}

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')
}

/** A-REX answers `{"job": {...}}` for one job and `{"job": [...]}` for several. */
function jobAnswers(body: unknown): ArcJobAnswer[] {
  const job = (body as { job?: unknown } | null)?.job
  if (job === undefined || job === null) return []
  const list = Array.isArray(job) ? job : [job]
  return list.map((j: Record<string, unknown>) => ({
    id: typeof j.id === 'string' ? j.id : '',
    status: Number(j['status-code'] ?? 200),
    reason: typeof j.reason === 'string' ? j.reason : '',
    ...(typeof j.state === 'string' ? { state: j.state } : {}),
    ...(j.info_document && typeof j.info_document === 'object'
      ? { info: j.info_document as Record<string, unknown> }
      : {}),
  }))
}
