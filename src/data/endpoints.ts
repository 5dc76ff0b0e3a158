/**
 * Use cases of storage endpoints (Rucio's RSEs): the operational places replicas live, with
 * attributes that endpoint expressions select on, protocols with priorities, availability and
 * capacity. Catalogue "storage services" describe offers; an endpoint may name one in `infra=`.
 */
import type { Endpoint, EndpointCreate, EndpointUpdate, Protocol } from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, isUuid, newId } from '../platform/index.js'
import { assertEndpointUrl } from './endpoint-urls.js'
import { EndpointIndex } from './expression-evaluator.js'
import {
  findEndpointRow,
  insertEndpointRow,
  listEndpointRows,
  updateEndpointRow,
  type EndpointRow,
} from './endpoints-store.js'

const endpointName = /^[A-Z0-9][A-Z0-9_-]{0,62}$/

export async function addEndpoint(ctx: Context, input: EndpointCreate): Promise<Endpoint> {
  if (!endpointName.test(input.name)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      "name: upper-case letters, digits, '_' and '-', at most 63",
      { field: 'name' },
    )
  }
  const protocols = input.protocols ?? []
  protocols.forEach(assertProtocol)
  for (const p of protocols) await assertEndpointUrl(p.url)
  const now = ctx.clock.now()
  const id = newId()
  await insertEndpointRow(ctx.db, {
    id,
    name: input.name,
    attributes: input.attributes ?? {},
    protocols,
    available_read: input.availableRead ?? true,
    available_write: input.availableWrite ?? true,
    available_delete: input.availableDelete ?? true,
    capacity_bytes: input.capacityBytes ?? null,
    created_at: now,
    updated_at: now,
  })
  return getEndpoint(ctx, id)
}

export async function getEndpoint(ctx: Context, idOrName: string): Promise<Endpoint> {
  return toEndpoint(await mustFindEndpoint(ctx.db, idOrName))
}

export async function updateEndpoint(
  ctx: Context,
  idOrName: string,
  patch: EndpointUpdate,
): Promise<Endpoint> {
  patch.protocols?.forEach(assertProtocol)
  for (const p of patch.protocols ?? []) await assertEndpointUrl(p.url)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await mustFindEndpoint(tx, idOrName)
    const attributes = { ...row.attributes }
    for (const [k, v] of Object.entries(patch.attributes ?? {})) {
      if (v === null) delete attributes[k]
      else attributes[k] = v
    }
    await updateEndpointRow(tx, row.id, {
      updated_at: ctx.clock.now(),
      ...(patch.attributes === undefined ? {} : { attributes }),
      ...(patch.protocols === undefined ? {} : { protocols: patch.protocols }),
      ...(patch.availableRead === undefined ? {} : { available_read: patch.availableRead }),
      ...(patch.availableWrite === undefined ? {} : { available_write: patch.availableWrite }),
      ...(patch.availableDelete === undefined ? {} : { available_delete: patch.availableDelete }),
      ...(patch.capacityBytes === undefined ? {} : { capacity_bytes: patch.capacityBytes }),
    })
    return toEndpoint(await mustFindEndpoint(tx, row.id))
  })
}

/** Every endpoint, or those an expression selects (EXPRESSION_EMPTY when none). */
export async function listEndpoints(
  ctx: Context,
  query: { expression?: string | undefined } = {},
): Promise<Endpoint[]> {
  const endpoints = (await listEndpointRows(ctx.db)).map(toEndpoint)
  if (query.expression === undefined) return endpoints
  return selectEndpoints(endpoints, query.expression)
}

/**
 * What an expression selects among endpoints. Besides their own attributes, endpoints answer to
 * `freespace` (free GB, 10^9 bytes, when the capacity is known), as in Rucio.
 */
export function selectEndpoints(endpoints: readonly Endpoint[], expression: string): Endpoint[] {
  const index = new EndpointIndex(
    endpoints.map((e) => ({ name: e.name, attributes: expressionAttributes(e), endpoint: e })),
  )
  return index.select(expression).map((x) => x.endpoint)
}

export function expressionAttributes(e: Endpoint): Record<string, string | number | boolean> {
  const attrs: Record<string, string | number | boolean> = { ...e.attributes }
  if (e.capacityBytes !== null) {
    attrs.freespace = Math.floor(Math.max(0, e.capacityBytes - e.usedBytes) / 1e9)
  }
  return attrs
}

/** Protocols for an operation, best first (priority 1 before 2; 0 = not offered). */
export function protocolsFor(
  endpoint: Endpoint,
  operation: 'read' | 'write' | 'delete',
): Protocol[] {
  return endpoint.protocols
    .filter((p) => p[operation] > 0)
    .sort((a, b) => a[operation] - b[operation])
}

function assertProtocol(p: Protocol): void {
  let url: URL
  try {
    url = new URL(p.url)
  } catch {
    throw new ContinuumError('VALIDATION_FAILED', `protocols: '${p.url}' is not a URL`, {
      field: 'protocols',
      value: p.url,
    })
  }
  const scheme = url.protocol.slice(0, -1)
  if (scheme !== p.scheme) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `protocols: scheme '${p.scheme}' does not match URL '${p.url}'`,
      { field: 'protocols', value: p.url },
    )
  }
  if (scheme === 'file' && (url.host !== '' || !url.pathname.startsWith('/'))) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `protocols: a file URL is file:///absolute/path, not '${p.url}'`,
      { field: 'protocols', value: p.url },
    )
  }
  // S3 (path-style): the bucket is the first path segment, so it must be there and valid.
  if (scheme.startsWith('s3') && !/^\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$)/.test(url.pathname)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `protocols: an S3 URL is s3://host[:port]/bucket[/prefix] (bucket: 3–63 lower-case letters, digits, '.', '-'), not '${p.url}'`,
      { field: 'protocols', value: p.url },
    )
  }
  if (url.pathname.split('/').includes('..')) {
    throw new ContinuumError('VALIDATION_FAILED', `protocols: '..' is not allowed in '${p.url}'`, {
      field: 'protocols',
      value: p.url,
    })
  }
}

export async function mustFindEndpoint(db: Executor, idOrName: string): Promise<EndpointRow> {
  const row = await findEndpointRow(
    db,
    isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName },
  )
  if (!row) {
    throw new ContinuumError('ENDPOINT_NOT_FOUND', `storage endpoint '${idOrName}' not found`, {
      endpoint: idOrName,
    })
  }
  return row
}

export function toEndpoint(row: EndpointRow): Endpoint {
  return {
    id: row.id,
    name: row.name,
    attributes: row.attributes as Endpoint['attributes'],
    protocols: row.protocols as Protocol[],
    availableRead: row.available_read,
    availableWrite: row.available_write,
    availableDelete: row.available_delete,
    capacityBytes: row.capacity_bytes === null ? null : Number(row.capacity_bytes),
    usedBytes: Number(row.used_bytes),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}
