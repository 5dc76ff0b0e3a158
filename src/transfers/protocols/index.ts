/** The storage protocols and the lookup of the one serving a URL. */
import { ContinuumError } from '../../platform/index.js'
import { PosixProtocol } from './posix.js'
import { S3Protocol } from './s3.js'
import type { StorageProtocol } from './storage-protocol.js'
import { WebdavProtocol } from './webdav.js'
import { XrootdProtocol } from './xrootd.js'

export type {
  StorageProtocol,
  OperationOptions,
  WriteOptions,
  ChecksumAlgorithm,
  ThirdPartyResult,
} from './storage-protocol.js'
export { PosixProtocol, type PosixOptions } from './posix.js'
export { WebdavProtocol, type WebdavOptions } from './webdav.js'
export { XrootdProtocol, type XrootdOptions } from './xrootd.js'
export { S3Protocol, type S3Options, type S3Credentials } from './s3.js'
export {
  classifyErrno,
  classifyHttpStatus,
  classifyS3,
  classifyXrootd,
  type StorageErrorCode,
} from './storage-errors.js'

export class ProtocolRegistry {
  private readonly byScheme = new Map<string, StorageProtocol>()

  constructor(
    protocols: StorageProtocol[] = [
      new PosixProtocol(),
      new WebdavProtocol(),
      new XrootdProtocol(),
      new S3Protocol(),
    ],
  ) {
    for (const p of protocols) for (const s of p.schemes) this.byScheme.set(s, p)
  }

  /** Tells the protocols the endpoints' base URLs (POSIX: one lane of file-system work each). */
  useEndpointRoots(urls: readonly string[]): void {
    for (const p of new Set(this.byScheme.values())) p.useRoots?.(urls)
  }

  /** Whether some protocol serves this URL's scheme. */
  supports(url: string): boolean {
    return this.byScheme.has(schemeOf(url))
  }

  for(url: string): StorageProtocol {
    const p = this.byScheme.get(schemeOf(url))
    if (!p) {
      throw new ContinuumError(
        'STORAGE_ERROR',
        `no storage protocol for '${schemeOf(url)}://' (${url})`,
        { url },
      )
    }
    return p
  }
}

function schemeOf(url: string): string {
  return url.slice(0, Math.max(0, url.indexOf(':')))
}
