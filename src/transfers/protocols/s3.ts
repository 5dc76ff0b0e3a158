/**
 * S3 endpoints, path-style with SigV4 (@aws-sdk/client-s3): `s3://host[:port]/bucket/key` over
 * https and `s3+http://host[:port]/bucket/key` over plain http (test servers, on-site gateways).
 * Objects appear only when an upload completes, so a failed write never leaves a partial object;
 * large ones go as multipart uploads (aborted on failure). S3 has no adler32: the copy layer
 * reads objects back to verify them (docs/storage-protocols.md says why metadata is no proof).
 * Credentials come from the endpoint configuration given to the constructor, else from the
 * environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); bearer tokens do not apply to S3.
 */
import type * as ClientS3 from '@aws-sdk/client-s3'
import type { S3Client } from '@aws-sdk/client-s3'
import type * as LibStorage from '@aws-sdk/lib-storage'
import { Readable } from 'node:stream'
import { ContinuumError } from '../../platform/index.js'
import { classifyS3, storageError } from './storage-errors.js'
import type {
  OperationOptions,
  StorageProtocol,
  ThirdPartyResult,
  WriteOptions,
} from './storage-protocol.js'
import { coalesce } from './http-bytes.js'

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface S3Options {
  /** Credentials per `host:port` of an endpoint; the environment is used for others. */
  credentials?: Record<string, S3Credentials>
  region?: string
  /** Part size of multipart uploads (default 16 MiB; S3's minimum is 5 MiB). */
  partBytes?: number
  /** Parts uploaded at once (default 4). */
  queueSize?: number
}

interface Target {
  endpoint: string
  hostPort: string
  bucket: string
  key: string
}

export function parseS3Url(url: string): Target {
  const m = /^(s3|s3\+http|s3\+https):\/\/([^/?#]+)\/([^/?#]+)\/([^?#]+)$/.exec(url)
  if (!m || m[4]!.split('/').includes('..') || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[3]!)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `'${url}' is not an S3 URL: s3://host[:port]/bucket/key or s3+http://host[:port]/bucket/key (bucket: 3–63 lower-case letters, digits, '.', '-')`,
      { url },
    )
  }
  const scheme = m[1] === 's3+http' ? 'http' : 'https'
  return {
    endpoint: `${scheme}://${m[2]}`,
    hostPort: m[2]!,
    bucket: m[3]!,
    key: decodeURIComponent(m[4]!),
  }
}

/** The SDK is loaded on first use: it adds ~0.2 s to the start of every command otherwise. */
let sdk: Promise<[typeof ClientS3, typeof LibStorage]> | undefined
function loadSdk(): Promise<[typeof ClientS3, typeof LibStorage]> {
  sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
  return sdk
}

export class S3Protocol implements StorageProtocol {
  readonly schemes = ['s3', 's3+http', 's3+https'] as const
  private readonly clients = new Map<string, S3Client>()

  private readonly credentials: Record<string, S3Credentials>

  /**
   * Credentials: `options.credentials`, else `CONTINUUM_S3_CREDENTIALS` (JSON: `{"host:port":
   * {"accessKeyId": …, "secretAccessKey": …}}`), else the SDK's own chain (AWS_* variables).
   */
  constructor(private readonly options: S3Options = {}) {
    this.credentials = options.credentials ?? credentialsFromEnv()
  }

  async stat(url: string, options: OperationOptions = {}): Promise<{ bytes: number } | undefined> {
    const t = parseS3Url(url)
    try {
      const head = await (
        await this.client(t)
      ).send(
        new (await loadSdk())[0].HeadObjectCommand({ Bucket: t.bucket, Key: t.key }),
        signal(options),
      )
      return { bytes: head.ContentLength ?? 0 }
    } catch (err) {
      if (classifyS3(err) === 'STORAGE_FILE_NOT_FOUND') return undefined
      throw fromS3('HEAD', url, err)
    }
  }

  async *read(url: string, options: OperationOptions = {}): AsyncIterable<Uint8Array> {
    const t = parseS3Url(url)
    let body: AsyncIterable<Uint8Array>
    try {
      const res = await (
        await this.client(t)
      ).send(
        new (await loadSdk())[0].GetObjectCommand({ Bucket: t.bucket, Key: t.key }),
        signal(options),
      )
      body = res.Body as AsyncIterable<Uint8Array>
    } catch (err) {
      throw fromS3('GET', url, err)
    }
    try {
      yield* coalesce(body, 1 << 20)
    } catch (err) {
      throw fromS3('GET', url, err)
    }
  }

  async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: WriteOptions = {},
  ): Promise<void> {
    const t = parseS3Url(url)
    const [, { Upload }] = await loadSdk()
    // A failing source makes the SDK abort the upload; if the abort fails too (servers without
    // AbortMultipartUpload), its error would hide the source's, which is the one that matters.
    let sourceError: unknown
    async function* watched(): AsyncGenerator<Uint8Array> {
      try {
        yield* source
      } catch (err) {
        sourceError = err
        throw err
      }
    }
    const upload = new Upload({
      client: await this.client(t),
      params: {
        Bucket: t.bucket,
        Key: t.key,
        Body: Readable.from(watched(), { objectMode: false }),
        ...(options.bytes === undefined ? {} : { ContentLength: options.bytes }),
      },
      partSize: this.options.partBytes ?? 16 << 20,
      queueSize: this.options.queueSize ?? 4,
      // A failed multipart upload is aborted, so no parts are left behind to be paid for.
      leavePartsOnError: false,
    })
    const abort = (): void => void upload.abort().catch(() => undefined)
    options.signal?.addEventListener('abort', abort, { once: true })
    try {
      await upload.done()
    } catch (err) {
      throw fromS3('PUT', url, sourceError ?? err)
    } finally {
      options.signal?.removeEventListener('abort', abort)
    }
  }

  async delete(url: string, options: OperationOptions = {}): Promise<void> {
    const t = parseS3Url(url)
    try {
      await (
        await this.client(t)
      ).send(
        new (await loadSdk())[0].DeleteObjectCommand({ Bucket: t.bucket, Key: t.key }),
        signal(options),
      )
    } catch (err) {
      if (classifyS3(err) === 'STORAGE_FILE_NOT_FOUND') return
      throw fromS3('DELETE', url, err)
    }
  }

  /**
   * Within one S3 service a server-side CopyObject moves no bytes through the worker (up to
   * 5 GiB, S3's limit for one copy); across services there is no S3 third-party copy.
   */
  async thirdPartyCopy(
    sourceUrl: string,
    destUrl: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<ThirdPartyResult> {
    const s = parseS3Url(sourceUrl)
    const d = parseS3Url(destUrl)
    if (s.endpoint !== d.endpoint) return 'unsupported'
    const size = await this.stat(sourceUrl, options)
    if (!size) throw storageError('STORAGE_FILE_NOT_FOUND', 'COPY', sourceUrl, 'no such object')
    if (size.bytes > 5 * 1024 ** 3) return 'unsupported'
    try {
      await (
        await this.client(d)
      ).send(
        new (await loadSdk())[0].CopyObjectCommand({
          Bucket: d.bucket,
          Key: d.key,
          CopySource: `${s.bucket}/${s.key.split('/').map(encodeURIComponent).join('/')}`,
        }),
        signal(options),
      )
      return 'done'
    } catch (err) {
      throw fromS3('COPY', destUrl, err)
    }
  }

  private async client(t: Target): Promise<S3Client> {
    let client = this.clients.get(t.endpoint)
    if (!client) {
      const [{ S3Client }] = await loadSdk()
      const credentials = this.credentials[t.hostPort]
      // The SDK warns on Node < 22 about releases of 2027; Continuum pins Node 20 and the SDK
      // version in its lock file, so the warning would only add noise to every worker's log.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
      client = new S3Client({
        endpoint: t.endpoint,
        region: this.options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        forcePathStyle: true,
        ...(credentials ? { credentials } : {}),
        // The newer SDK defaults add CRC trailers (aws-chunked bodies) that S3-compatible servers
        // other than AWS often reject or store verbatim; send them only when an API requires it.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 1,
      })
      this.clients.set(t.endpoint, client)
    }
    return client
  }
}

function signal(options: OperationOptions): { abortSignal?: AbortSignal } {
  return options.signal ? { abortSignal: options.signal } : {}
}

function fromS3(operation: string, url: string, err: unknown): ContinuumError {
  if (err instanceof ContinuumError) return err
  const e = err as {
    name?: string
    Code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
  }
  const reason = [e.Code ?? e.name, e.message].filter(Boolean).join(': ')
  return storageError(
    classifyS3(err),
    operation,
    url,
    reason || String(err),
    {
      ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}),
    },
    err,
  )
}

function credentialsFromEnv(): Record<string, S3Credentials> {
  const text = process.env.CONTINUUM_S3_CREDENTIALS
  if (!text) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every(
      (c: unknown) =>
        typeof (c as S3Credentials | null)?.accessKeyId === 'string' &&
        typeof (c as S3Credentials | null)?.secretAccessKey === 'string',
    )
  if (!valid) {
    // The value holds secrets: name the variable, never echo it.
    throw new ContinuumError(
      'CONFIG_INVALID',
      'CONTINUUM_S3_CREDENTIALS must be JSON: {"host:port": {"accessKeyId": "…", "secretAccessKey": "…"}}',
      { variable: 'CONTINUUM_S3_CREDENTIALS' },
    )
  }
  return parsed as Record<string, S3Credentials>
}
