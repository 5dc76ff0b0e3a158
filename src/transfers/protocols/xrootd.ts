/**
 * XRootD endpoints (`root://host:port//path`, `roots://` for TLS) through Debian's `xrdcp` and
 * `xrdfs` run as subprocesses: the reference client, with its own checksum, TPC and token
 * plug-ins; bytes pass through a pipe at close to xrdcp's own speed (see BENCHMARKS.md).
 *
 * Writes go to `PATH.part.<random>` with `--posc` (the server removes it if the writer dies)
 * and are then renamed into place with `xrdfs mv`, so the final path never holds a partial file.
 * Tokens go in the `BEARER_TOKEN` environment of the subprocess (WLCG's token discovery), never
 * on the command line, where other users of the machine could read them.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { ContinuumError } from '../../platform/index.js'
import { classifyXrootd, storageError } from './storage-errors.js'
import type {
  ChecksumAlgorithm,
  OperationOptions,
  StorageProtocol,
  ThirdPartyOptions,
  ThirdPartyResult,
  WriteOptions,
} from './storage-protocol.js'
import { coalesce } from './http-bytes.js'

export interface XrootdOptions {
  xrdcp?: string
  xrdfs?: string
  /** Seconds the client keeps trying to connect (XRD_CONNECTIONWINDOW × retries); default 30. */
  connectSeconds?: number
  /** Seconds a request may take (XRD_REQUESTTIMEOUT); default 1800. */
  requestSeconds?: number
  /**
   * The CA folder for `roots://` (grid layout, `<hash>.0` names), given to the client as
   * X509_CERT_DIR; default the environment's, else /etc/grid-security/certificates.
   */
  certDir?: string
}

interface Target {
  /** host:port, as xrdfs wants it; with the scheme for roots:// */
  server: string
  /** /absolute/path on the server */
  path: string
}

export function parseXrootdUrl(url: string): Target {
  const m = /^(roots?):\/\/([^/?#]+)\/(\/[^?#]*)$/.exec(url)
  if (!m || m[3]!.split('/').includes('..')) {
    throw storageError('STORAGE_ERROR', 'parse', url, 'not a root://host[:port]//absolute/path URL')
  }
  return { server: m[1] === 'roots' ? `roots://${m[2]}` : m[2]!, path: m[3]!.replace(/^\/+/, '/') }
}

function urlOf(url: string, path: string): string {
  const { server } = parseXrootdUrl(url)
  return `${server.startsWith('roots://') ? server : `root://${server}`}/${path}`
}

interface Exit {
  code: number | null
  stderr: string
}

interface Run extends Exit {
  stdout: string
}

export class XrootdProtocol implements StorageProtocol {
  readonly schemes = ['root', 'roots'] as const

  constructor(private readonly options: XrootdOptions = {}) {}

  async stat(url: string, options: OperationOptions = {}): Promise<{ bytes: number } | undefined> {
    const { server, path } = parseXrootdUrl(url)
    const r = await this.run(this.xrdfs, [server, 'stat', path], options)
    if (r.code !== 0) {
      if (classifyXrootd(r.stderr) === 'STORAGE_FILE_NOT_FOUND') return undefined
      throw this.failure('stat', url, r)
    }
    if (/IsDir/.test(r.stdout)) return undefined
    const size = /^Size:\s+(\d+)/m.exec(r.stdout)?.[1]
    if (size === undefined) {
      throw storageError('STORAGE_ERROR', 'stat', url, 'no size in xrdfs stat output')
    }
    return { bytes: Number(size) }
  }

  async *read(url: string, options: OperationOptions = {}): AsyncIterable<Uint8Array> {
    parseXrootdUrl(url)
    const child = spawn(this.xrdcp, ['--nopbar', url, '-'], {
      env: this.env(options.token),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const done = exited(child)
    done.catch(() => undefined)
    let finished = false
    try {
      yield* coalesce(child.stdout as AsyncIterable<Uint8Array>, 1 << 20)
      const r = await done
      finished = true
      if (r.code !== 0) throw this.failure('read', url, r)
    } finally {
      // A consumer that stops early (or an error) must not leave xrdcp running.
      if (!finished && child.exitCode === null) child.kill('SIGKILL')
    }
  }

  async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.writePart(url, options, async (part) => {
      const child = spawn(this.xrdcp, ['--nopbar', '--force', '--posc', '-', part], {
        env: this.env(options.token),
        stdio: ['pipe', 'ignore', 'pipe'],
        ...(options.signal ? { signal: options.signal } : {}),
      })
      const done = exited(child)
      done.catch(() => undefined)
      // EPIPE when xrdcp has failed and exited: its exit code and message say why.
      child.stdin.on('error', () => undefined)
      try {
        for await (const chunk of source) {
          if (!child.stdin.write(chunk)) await drained(child)
          if (child.exitCode !== null) break
        }
        child.stdin.end()
      } catch (err) {
        child.kill('SIGKILL')
        await done.catch(() => undefined)
        // The source's own class (a missing source, a timeout) is what the caller needs to see.
        if (err instanceof ContinuumError) throw err
        throw storageError(
          'STORAGE_ERROR',
          'write',
          url,
          `source failed: ${(err as Error).message}`,
          {},
          err,
        )
      }
      return done
    })
  }

  /** xrdcp reads the local file itself: no pipe, and its own large, parallel reads. */
  async uploadFile(localPath: string, url: string, options: WriteOptions = {}): Promise<void> {
    await this.writePart(url, options, (part) =>
      this.run(this.xrdcp, ['--nopbar', '--force', '--posc', localPath, part], options),
    )
  }

  /** xrdcp writes the local file itself (the caller gives it a side file and renames it). */
  async downloadFile(
    url: string,
    localPath: string,
    options: OperationOptions = {},
  ): Promise<undefined> {
    parseXrootdUrl(url)
    const r = await this.run(this.xrdcp, ['--nopbar', '--force', url, localPath], options)
    if (r.code !== 0) throw this.failure('read', url, r)
    return undefined
  }

  /**
   * Writes through a side file `PATH.part.<random>` (made by `copy(partUrl)`, with `--posc` so
   * that the server removes it if the writer dies), then `xrdfs mv` into place.
   */
  private async writePart(
    url: string,
    options: OperationOptions,
    copy: (partUrl: string) => Promise<Exit>,
  ): Promise<void> {
    const { server, path } = parseXrootdUrl(url)
    const part = `${path}.part.${randomBytes(4).toString('hex')}`
    try {
      const r = await copy(urlOf(url, part))
      if (r.code !== 0) throw this.failure('write', url, r)
      const mv = await this.run(this.xrdfs, [server, 'mv', part, path], options)
      if (mv.code !== 0) throw this.failure('write', url, mv)
    } catch (err) {
      // Without the signal: after a cancel, the side file must still be removed.
      await this.run(this.xrdfs, [server, 'rm', part], { token: options.token }).catch(
        () => undefined,
      )
      throw err
    }
  }

  async delete(url: string, options: OperationOptions = {}): Promise<void> {
    const { server, path } = parseXrootdUrl(url)
    const r = await this.run(this.xrdfs, [server, 'rm', path], options)
    if (r.code !== 0 && classifyXrootd(r.stderr) !== 'STORAGE_FILE_NOT_FOUND') {
      throw this.failure('delete', url, r)
    }
  }

  /** `xrdfs HOST query checksum PATH` → `adler32 <hex>`; another algorithm configured → undefined. */
  async checksum(
    url: string,
    algorithm: ChecksumAlgorithm,
    options: OperationOptions = {},
  ): Promise<string | undefined> {
    const { server, path } = parseXrootdUrl(url)
    const r = await this.run(this.xrdfs, [server, 'query', 'checksum', path], options)
    if (r.code !== 0) {
      if (/\[3013\]/.test(r.stderr)) return undefined // kXR_Unsupported: no checksum configured
      throw this.failure('checksum', url, r)
    }
    const [name, hex] = r.stdout.trim().split(/\s+/)
    if (name?.toLowerCase() !== algorithm || !hex || !/^[0-9a-f]{1,8}$/i.test(hex)) return undefined
    return hex.toLowerCase().padStart(8, '0')
  }

  /**
   * `xrdcp --tpc only SRC DST.part…`, then `xrdfs mv`: the destination server pulls from the
   * source (both need `ofs.tpc`). A server without it answers "[3013] … tpc not supported".
   * With two different tokens they go as `authz` CGI (WLCG's form) since one environment
   * variable cannot carry both.
   */
  async thirdPartyCopy(
    sourceUrl: string,
    destUrl: string,
    options: ThirdPartyOptions = {},
  ): Promise<ThirdPartyResult> {
    const { server, path } = parseXrootdUrl(destUrl)
    parseXrootdUrl(sourceUrl)
    const part = `${path}.part.${randomBytes(4).toString('hex')}`
    const sameToken = options.sourceToken === options.destToken
    const src = sameToken ? sourceUrl : withAuthz(sourceUrl, options.sourceToken)
    const dst = sameToken
      ? urlOf(destUrl, part)
      : withAuthz(urlOf(destUrl, part), options.destToken)
    let moved = false
    try {
      // Inside the try: a cancel kills xrdcp mid-copy, and the side file must still go.
      const r = await this.run(
        this.xrdcp,
        ['--nopbar', '--force', '--posc', '--tpc', 'only', src, dst],
        { token: sameToken ? options.destToken : undefined, signal: options.signal },
      )
      if (r.code !== 0) {
        if (/tpc not supported|\[3013\]/i.test(r.stderr)) return 'unsupported'
        throw this.failure('third-party copy', sourceUrl, r, { destination: destUrl })
      }
      const mv = await this.run(this.xrdfs, [server, 'mv', part, path], {
        token: options.destToken,
      })
      if (mv.code !== 0) throw this.failure('third-party copy', destUrl, mv)
      moved = true
      return 'done'
    } finally {
      if (!moved) {
        await this.run(this.xrdfs, [server, 'rm', part], { token: options.destToken }).catch(
          () => undefined,
        )
      }
    }
  }

  private get xrdcp(): string {
    return this.options.xrdcp ?? 'xrdcp'
  }

  private get xrdfs(): string {
    return this.options.xrdfs ?? 'xrdfs'
  }

  private env(token: string | undefined): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XRD_CONNECTIONWINDOW: String(Math.max(1, Math.ceil((this.options.connectSeconds ?? 30) / 3))),
      XRD_CONNECTIONRETRY: '3',
      XRD_REQUESTTIMEOUT: String(this.options.requestSeconds ?? 1800),
    }
    if (this.options.certDir !== undefined) env.X509_CERT_DIR = this.options.certDir
    if (token) env.BEARER_TOKEN = token
    else delete env.BEARER_TOKEN
    return env
  }

  private async run(command: string, args: string[], options: OperationOptions): Promise<Run> {
    const child = spawn(command, args, {
      env: this.env(options.token),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const r = await exited(child)
    return { ...r, stdout }
  }

  private failure(
    operation: string,
    url: string,
    r: Exit,
    details: Record<string, unknown> = {},
  ): Error {
    let message = scrub(r.stderr.trim().split('\n').filter(Boolean).join('; ')) || `exit ${r.code}`
    // XrdCl says "TLS error: resource temporarily unavailable" for an untrusted certificate.
    if (/\bTLS error\b/i.test(message)) {
      message += ' (roots://: is the server certificate signed by a CA in X509_CERT_DIR?)'
    }
    return storageError(classifyXrootd(message), operation, url, message, {
      exit: r.code,
      ...details,
    })
  }
}

function withAuthz(url: string, token: string | undefined): string {
  return token ? `${url}?authz=${encodeURIComponent(`Bearer ${token}`)}` : url
}

/** Tokens must never reach a message or a log. */
function scrub(text: string): string {
  return text.replace(/authz=[^&\s]*/g, 'authz=…')
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString()
  })
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          storageError(
            'STORAGE_ERROR',
            'spawn',
            String(child.spawnfile),
            'XRootD client not installed (Debian xrootd-client)',
            {},
            err,
          ),
        )
      } else if (err.name === 'AbortError') {
        reject(
          storageError('STORAGE_TIMEOUT', 'xrootd', String(child.spawnfile), 'cancelled', {}, err),
        )
      } else reject(err)
    })
    child.once('close', (code) => resolve({ code, stderr }))
  })
}

/** Waits until xrdcp takes more input, or has exited (its exit code then tells why). */
function drained(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      child.stdin?.off('drain', done)
      child.stdin?.off('error', done)
      child.off('exit', done)
      resolve()
    }
    child.stdin?.once('drain', done)
    child.stdin?.once('error', done)
    child.once('exit', done)
  })
}
