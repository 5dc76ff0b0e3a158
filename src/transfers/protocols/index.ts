/** The storage protocols and the lookup of the one serving a URL. */
import { ContinuumError } from '../../platform/index.js'
import { PosixProtocol } from './posix.js'
import type { StorageProtocol } from './storage-protocol.js'
import { WebdavProtocol } from './webdav.js'

export type { StorageProtocol } from './storage-protocol.js'
export { PosixProtocol } from './posix.js'
export { WebdavProtocol } from './webdav.js'

export class ProtocolRegistry {
  private readonly byScheme = new Map<string, StorageProtocol>()

  constructor(protocols: StorageProtocol[] = [new PosixProtocol(), new WebdavProtocol()]) {
    for (const p of protocols) for (const s of p.schemes) this.byScheme.set(s, p)
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
