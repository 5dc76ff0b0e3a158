/**
 * A catalogue storage service bound to the data federation's endpoints: the endpoints then carry
 * the service's name (`storageService`) and its catalogue site (`site`), so what the Plan face
 * calls a storage service is where the Run face puts bytes, and the broker counts those
 * endpoints as near every compute service of that site. The binding lives in the endpoints'
 * attributes (data's public use cases), so it needs no table of its own.
 */
import { findRecord, type WireRecord } from '../catalog/index.js'
import type { Endpoint, StorageBinding } from '../contract/index.js'
import { getEndpoint, listEndpoints, updateEndpoint } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { forgetCatalogueView } from './catalogue-candidates.js'

/** Binds `service` to exactly these endpoints (others bound to it before are released). */
export async function bindStorageService(
  ctx: Context,
  serviceName: string,
  endpointNames: readonly string[],
): Promise<StorageBinding> {
  const service = await findRecord(ctx, 'storageService', serviceName)
  if (!service) {
    throw new ContinuumError(
      'STORAGE_SERVICE_NOT_FOUND',
      `storage service '${serviceName}' is not in the catalogue`,
      { name: serviceName },
    )
  }
  // Every endpoint is checked before any is changed.
  const wanted = [...new Set(endpointNames)]
  const endpoints: Endpoint[] = []
  for (const name of wanted) endpoints.push(await getEndpoint(ctx, name))
  for (const e of endpoints) {
    const other = e.attributes.storageService
    if (typeof other === 'string' && other !== service.name) {
      throw new ContinuumError(
        'CONFLICT',
        `endpoint ${e.name} is bound to storage service ${other} already`,
        { endpoint: e.name, storageService: other },
      )
    }
  }
  const site = typeof service.site === 'string' ? service.site : null
  const all = await listEndpoints(ctx)
  for (const e of all) {
    if (e.attributes.storageService === service.name && !wanted.includes(e.name)) {
      await updateEndpoint(ctx, e.name, { attributes: { storageService: null } })
    }
  }
  for (const e of endpoints) {
    await updateEndpoint(ctx, e.name, {
      attributes: { storageService: service.name, ...(site === null ? {} : { site }) },
    })
  }
  forgetCatalogueView(ctx.db)
  return toBinding(service, endpoints.map((e) => e.name).sort())
}

/** Every catalogue storage service bound to endpoints, with them. */
export async function listStorageBindings(ctx: Context): Promise<StorageBinding[]> {
  const byService = new Map<string, string[]>()
  for (const e of await listEndpoints(ctx)) {
    const s = e.attributes.storageService
    if (typeof s === 'string') byService.set(s, [...(byService.get(s) ?? []), e.name])
  }
  const out: StorageBinding[] = []
  for (const [name, endpoints] of [...byService].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const service = await findRecord(ctx, 'storageService', name)
    if (service) out.push(toBinding(service, endpoints.sort()))
  }
  return out
}

function toBinding(service: WireRecord, endpoints: string[]): StorageBinding {
  return {
    service: service.name,
    infrastructure: String(service.infrastructure),
    catalogueSite: typeof service.site === 'string' ? service.site : null,
    endpoints,
  }
}
