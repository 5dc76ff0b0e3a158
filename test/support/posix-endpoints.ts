/** POSIX endpoints in temporary directories, and helpers to put real bytes on them. */
import './site-config.js'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Endpoint } from '../../src/contract/index.js'
import { addEndpoint } from '../../src/data/index.js'
import type { Context } from '../../src/db/index.js'
import { uniqueEndpointName } from './data-factories.js'

export interface TempStorage {
  root: string
  add(
    ctx: Context,
    attributes: Record<string, string | number | boolean>,
    overrides?: { capacityBytes?: number | null; name?: string },
  ): Promise<Endpoint>
  dirOf(endpoint: Endpoint): string
  cleanup(): void
}

export function tempStorage(): TempStorage {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-storage-'))
  return {
    root,
    async add(ctx, attributes, overrides = {}) {
      const name = overrides.name ?? uniqueEndpointName()
      const dir = path.join(root, name.toLowerCase())
      return addEndpoint(ctx, {
        name,
        attributes,
        protocols: [{ scheme: 'file', url: pathToFileURL(dir).href, read: 1, write: 1, delete: 1 }],
        capacityBytes: overrides.capacityBytes === undefined ? 1e12 : overrides.capacityBytes,
      })
    },
    dirOf: (endpoint) => path.join(root, endpoint.name.toLowerCase()),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}

export async function* bytesOf(data: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536)
}

export function randomData(size: number): Buffer {
  return randomBytes(size)
}
