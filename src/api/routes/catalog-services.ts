/**
 * HTTP routes of the landscape records (sites, compute and storage services, software
 * environments, network links, access policies, allocations, working groups, members, use
 * cases, documents): the same five routes per kind, generated from the kind descriptors.
 * Use cases and documents live under /landscape, the rest under /catalog.
 */
import type { FastifyInstance } from 'fastify'
import {
  addRecord,
  deleteRecord,
  getRecord,
  kinds,
  listRecords,
  updateRecord,
  type KindName,
} from '../../catalog/index.js'
import {
  IdOrNameParamsSchema,
  PageSchema,
  RecordListQuerySchema,
  type RecordListQuery,
} from '../../contract/index.js'
import { routeSchema } from '../route-schema.js'

type IdParams = { id: string }
const landscapeKinds = new Set<KindName>(['useCase', 'document'])
const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1)

export function recordRoutes(app: FastifyInstance): void {
  for (const kind of Object.keys(kinds) as KindName[]) {
    const spec = kinds[kind]
    const domain = landscapeKinds.has(kind) ? 'landscape' : 'catalog'
    const base = `/${domain}/${spec.plural}`
    const tags = [domain]
    const Name = pascal(kind)
    const action = (verb: string) => `${domain}.${kind}.${verb}`
    app.get<{ Querystring: RecordListQuery }>(base, {
      config: { action: action('list') },
      schema: routeSchema({
        operationId: `list${spec.plural.split('-').map(pascal).join('')}`,
        tags,
        summary: `List ${spec.label}s, filtered and paged`,
        querystring: RecordListQuerySchema,
        response: { 200: PageSchema(spec.schemas.record) },
      }),
      handler: (request) => listRecords(request.ctx, kind, request.query),
    })
    app.post<{ Body: Record<string, unknown> }>(base, {
      config: { action: action('create') },
      schema: routeSchema({
        operationId: `add${Name}`,
        tags,
        summary: `Add a ${spec.label}`,
        body: spec.schemas.create,
        response: { 201: spec.schemas.record },
      }),
      handler: async (request, reply) =>
        reply.status(201).send(await addRecord(request.ctx, kind, request.body)),
    })
    app.get<{ Params: IdParams }>(`${base}/:id`, {
      config: { action: action('read') },
      schema: routeSchema({
        operationId: `get${Name}`,
        tags,
        summary: `Get a ${spec.label} by id or name`,
        params: IdOrNameParamsSchema,
        response: { 200: spec.schemas.record },
      }),
      handler: (request) => getRecord(request.ctx, kind, request.params.id),
    })
    app.patch<{ Params: IdParams; Body: Record<string, unknown> }>(`${base}/:id`, {
      config: { action: action('update') },
      schema: routeSchema({
        operationId: `update${Name}`,
        tags,
        summary: `Change fields of a ${spec.label}`,
        params: IdOrNameParamsSchema,
        body: spec.schemas.update,
        response: { 200: spec.schemas.record },
      }),
      handler: (request) => updateRecord(request.ctx, kind, request.params.id, request.body),
    })
    app.delete<{ Params: IdParams }>(`${base}/:id`, {
      config: { action: action('delete') },
      schema: routeSchema({
        operationId: `delete${Name}`,
        tags,
        summary: `Delete a ${spec.label}; answers with the deleted record`,
        params: IdOrNameParamsSchema,
        response: { 200: spec.schemas.record },
      }),
      handler: (request) => deleteRecord(request.ctx, kind, request.params.id),
    })
  }
}
