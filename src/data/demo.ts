/** Local POSIX endpoints for `continuum demo`: directories under CONTINUUM_HOME with realistic attributes. */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Endpoint } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { addEndpoint, listEndpoints } from './endpoints.js'

const demo = [
  {
    name: 'DESY-ZN_DATADISK',
    attributes: { country: 'DE', tier: 1, type: 'disk', site: 'DESY-ZN', infra: 'wlcg' },
  },
  {
    name: 'KIT_DATADISK',
    attributes: { country: 'DE', tier: 1, type: 'disk', site: 'FZK-LCG2', infra: 'wlcg' },
  },
  {
    name: 'IN2P3-CC_DATADISK',
    attributes: { country: 'FR', tier: 1, type: 'disk', site: 'IN2P3-CC', infra: 'wlcg' },
  },
  {
    name: 'CNAF_DATATAPE',
    attributes: { country: 'IT', tier: 1, type: 'tape', site: 'INFN-T1', infra: 'wlcg' },
  },
  {
    name: 'SURF_LOFAR',
    attributes: {
      country: 'NL',
      tier: 1,
      type: 'disk',
      site: 'SURF',
      infra: 'srcnet',
      LOFAR: true,
    },
  },
] as const

/** Creates the demo endpoints that do not exist yet (idempotent); returns all of them. */
export async function createDemoEndpoints(ctx: Context, home: string): Promise<Endpoint[]> {
  const existing = new Set((await listEndpoints(ctx)).map((e) => e.name))
  for (const d of demo) {
    const dir = path.resolve(home, 'storage', d.name.toLowerCase())
    mkdirSync(dir, { recursive: true })
    if (existing.has(d.name)) continue
    await addEndpoint(ctx, {
      name: d.name,
      attributes: { ...d.attributes },
      protocols: [{ scheme: 'file', url: pathToFileURL(dir).href, read: 1, write: 1, delete: 1 }],
      capacityBytes: 500e9,
    })
  }
  return listEndpoints(ctx)
}
