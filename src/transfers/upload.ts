/**
 * Moving bytes between a user and the federation. Upload: stream to an endpoint chosen from an
 * expression, checksumming on the way, verify at the endpoint, then register the replica — a
 * failed upload registers nothing and leaves nothing. Download: the best available replica,
 * another one if it fails; the caller verifies the checksum while streaming. An upload is kept by a
 * rule of one copy on its endpoint (delete that rule to let the reaper remove it).
 */
import {
  addRule,
  getDid,
  getScope,
  listEndpoints,
  listReplicas,
  protocolsFor,
  registerReplicas,
  deterministicPath,
  type DidKey,
} from '../data/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import type { Did, Replica } from '../contract/index.js'
import { writeVerified } from './copy.js'
import type { ProtocolRegistry } from './protocols/index.js'

export interface UploadInput extends DidKey {
  /** Endpoint expression; the writable endpoint with the most free space is used. */
  to: string
  bytes?: number | undefined
  adler32?: string | undefined
}

export async function uploadFile(
  ctx: Context,
  registry: ProtocolRegistry,
  input: UploadInput,
  source: AsyncIterable<Uint8Array>,
): Promise<Replica> {
  const path = deterministicPath(input)
  // Before any byte or folder is written: an upload into a scope that does not exist used to
  // write, fail to register, delete the file and leave its empty folders behind.
  await getScope(ctx, input.scope)
  const candidates = (await listEndpoints(ctx, { expression: input.to })).filter(
    (e) => e.availableWrite,
  )
  candidates.sort((a, b) => free(b) - free(a) || a.name.localeCompare(b.name))
  const endpoint = candidates.find((e) =>
    protocolsFor(e, 'write').some((p) => registry.supports(p.url)),
  )
  if (!endpoint) {
    throw new ContinuumError(
      'ENDPOINT_UNAVAILABLE',
      `no endpoint selected by '${input.to}' accepts writes over a supported protocol`,
      { expression: input.to },
    )
  }
  const protocol = protocolsFor(endpoint, 'write').find((p) => registry.supports(p.url))!
  const url = `${protocol.url.replace(/\/+$/, '')}/${path}`
  if (await registry.for(url).stat(url)) {
    throw new ContinuumError(
      'REPLICA_ALREADY_EXISTS',
      `${input.scope}:${input.name}: a file exists at ${endpoint.name} already`,
      { endpoint: endpoint.name },
    )
  }
  const digest = await writeVerified(registry, source, url, {
    bytes: input.bytes ?? null,
    adler32: input.adler32 ?? null,
  })
  const result = await registerReplicas(ctx, {
    endpoint: endpoint.name,
    replicas: [
      { scope: input.scope, name: input.name, bytes: digest.bytes, adler32: digest.adler32 },
    ],
  })
  const item = result.results[0]
  if (!item?.ok) {
    await registry.for(url).delete(url)
    throw new ContinuumError(
      (item?.error?.code ?? 'INTERNAL') as 'INTERNAL',
      item?.error?.message ?? 'registration failed',
      { did: `${input.scope}:${input.name}` },
    )
  }
  // As `rucio upload` does, a rule of one copy on that endpoint keeps the upload from the reaper.
  await addRule(ctx, {
    scope: input.scope,
    name: input.name,
    copies: 1,
    expression: endpoint.name,
    comment: 'upload',
  })
  return (await listReplicas(ctx, input)).find((r) => r.endpoint === endpoint.name)!
}

function free(e: { capacityBytes: number | null; usedBytes: number }): number {
  return e.capacityBytes === null ? Number.MAX_SAFE_INTEGER : e.capacityBytes - e.usedBytes
}

export interface DownloadSource {
  did: Did
  replica: Replica
  url: string
  stream: AsyncIterable<Uint8Array>
}

/** Opens the best available replica of a file (read protocol priority), trying others on failure. */
export async function openDownload(
  ctx: Context,
  registry: ProtocolRegistry,
  ref: DidKey,
  exclude: string[] = [],
): Promise<DownloadSource> {
  const did = await getDid(ctx, ref)
  if (did.type !== 'file') {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `${ref.scope}:${ref.name} is a ${did.type}; download its files`,
      { did: `${ref.scope}:${ref.name}` },
    )
  }
  const replicas = (await listReplicas(ctx, ref)).filter(
    (r) => r.state === 'available' && !exclude.includes(r.endpoint),
  )
  const errors: string[] = []
  for (const replica of replicas) {
    const url = replica.urls.find((u) => registry.supports(u))
    if (!url) continue
    try {
      if (!(await registry.for(url).stat(url))) throw new Error('file missing on storage')
      return { did, replica, url, stream: registry.for(url).read(url) }
    } catch (err) {
      errors.push(`${replica.endpoint}: ${(err as Error).message}`)
    }
  }
  throw new ContinuumError(
    'REPLICA_NOT_FOUND',
    `no readable replica of ${ref.scope}:${ref.name}${errors.length ? ` (${errors.join('; ')})` : ''}`,
    { did: `${ref.scope}:${ref.name}`, errors },
  )
}
