/** Catalogue endpoints on test XrdHttp doors, and a WebDAV protocol that counts its TPCs. */
import './site-config.js'
import { addEndpoint } from '../../src/data/index.js'
import type { Context } from '../../src/db/index.js'
import { WebdavProtocol } from '../../src/transfers/index.js'
import type { XrdHttpServer } from './xrdhttp.js'

/** A disk endpoint served by `door` over davs:// under `/folder`. */
export function addDoorEndpoint(
  ctx: Context,
  door: XrdHttpServer,
  endpoint: { name: string; country: string; folder: string },
) {
  return addEndpoint(ctx, {
    name: endpoint.name,
    attributes: { country: endpoint.country, type: 'disk' },
    protocols: [
      {
        scheme: 'davs',
        url: `${door.httpsUrl.replace('https:', 'davs:')}/${endpoint.folder}`,
        read: 1,
        write: 1,
        delete: 1,
      },
    ],
  })
}

/** The real WebDAV protocol, counting the third-party copies the servers reported done. */
export class CountingWebdav extends WebdavProtocol {
  static tpcDone = 0
  override async thirdPartyCopy(...args: Parameters<WebdavProtocol['thirdPartyCopy']>) {
    const outcome = await super.thirdPartyCopy(...args)
    if (outcome === 'done') CountingWebdav.tpcDone++
    return outcome
  }
}
