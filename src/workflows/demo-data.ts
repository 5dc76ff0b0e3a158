/**
 * The demo's input for examples/federated.yaml: a dataset `demo:raw-events` of a few small
 * files on the demo's DESY-ZN_DATADISK endpoint, uploaded through the federation (checksummed
 * and registered) the first time the demo starts. The `demo` scope belongs to LOFAR (the
 * example's community), and each shipped community with members among the demo users gets a
 * scope of its own name, so `lofar-user` can upload into `lofar:` and `atlas-user` into `atlas:`.
 */
import { listCommunities } from '../catalog/index.js'
import { addDid, addScope, attachDids, getDid, listScopes } from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { ProtocolRegistry, uploadFile } from '../transfers/index.js'

export async function ensureDemoDataset(
  ctx: Context,
  options: { endpoint?: string; files?: number } = {},
): Promise<boolean> {
  const did = { scope: 'demo', name: 'raw-events' }
  try {
    await getDid(ctx, did)
    return false
  } catch (err) {
    if (!(err instanceof ContinuumError) || err.code !== 'DID_NOT_FOUND') throw err
  }
  const communities = new Set((await listCommunities(ctx, {})).items.map((c) => c.name))
  const scopes = new Set((await listScopes(ctx)).map((s) => s.name))
  for (const [scope, community] of [
    ['demo', 'lofar'],
    ['lofar', 'lofar'],
    ['atlas', 'atlas'],
  ] as const) {
    if (scopes.has(scope)) continue
    if (communities.has(community)) await addScope(ctx, { name: scope, community })
    else if (scope === 'demo') await addScope(ctx, { name: scope })
  }
  await addDid(ctx, { ...did, type: 'dataset' })
  const registry = new ProtocolRegistry()
  const files = options.files ?? 4
  for (let i = 0; i < files; i++) {
    const events = Array.from({ length: 10 * (i + 1) }, (_, k) => `event ${i}.${k}\n`).join('')
    await uploadFile(
      ctx,
      registry,
      { scope: 'demo', name: `events-${i}`, to: options.endpoint ?? 'DESY-ZN_DATADISK' },
      (async function* () {
        yield Buffer.from(events)
      })(),
    )
  }
  await attachDids(ctx, did, {
    children: Array.from({ length: files }, (_, i) => ({ scope: 'demo', name: `events-${i}` })),
  })
  return true
}
