/**
 * HTTP routes of the data federation. Each states its policy action and, for the gate's WLCG
 * `storage.*:/path` checks, the namespace path it touches (`/scope/name`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  Type,
  AttachmentSchema,
  BulkResultSchema,
  ContentQuerySchema,
  DataScopeCreateSchema,
  DataScopeListSchema,
  DataScopeParamsSchema,
  DataScopeSchema,
  DataScopeUpdateSchema,
  DidCreateSchema,
  DidListQuerySchema,
  DidPageSchema,
  DidParamsSchema,
  DidSchema,
  DidUpdateSchema,
  EndpointCreateSchema,
  EndpointListQuerySchema,
  EndpointListSchema,
  EndpointParamsSchema,
  EndpointSchema,
  EndpointUpdateSchema,
  ReplicaBulkSchema,
  ReplicaListSchema,
  type Attachment,
  type DataScopeCreate,
  type DataScopeUpdate,
  type DidCreate,
  type DidListQuery,
  type DidUpdate,
  type EndpointCreate,
  type EndpointUpdate,
  type ReplicaBulk,
} from '../../contract/index.js'
import {
  addDid,
  addEndpoint,
  addScope,
  attachDids,
  deleteDid,
  detachDids,
  getDid,
  getEndpoint,
  listContent,
  listDids,
  listEndpoints,
  listReplicas,
  listScopes,
  registerReplicas,
  scopeCommunityFor,
  updateScope,
  updateDid,
  updateEndpoint,
} from '../../data/index.js'
import { routeSchema, type RouteResource } from '../route-schema.js'
import { didResource, scopeResource } from './tenancy.js'

type DidParams = { scope: string; name: string }
type EndpointParams = { endpoint: string }

const didOf = (req: FastifyRequest) => {
  const p = req.params as DidParams
  return didResource(req, p.scope, p.name)
}
const endpointOf = (req: FastifyRequest): RouteResource => ({
  type: 'StorageEndpoint',
  id: (req.params as EndpointParams).endpoint,
})

export function dataRoutes(app: FastifyInstance): void {
  const tags = ['data']

  app.get('/data/scopes', {
    config: { action: 'data.scope.list' },
    schema: routeSchema({
      operationId: 'listScopes',
      tags,
      summary: 'List scopes',
      response: { 200: DataScopeListSchema },
    }),
    handler: async (request) => ({ items: await listScopes(request.ctx) }),
  })
  app.post<{ Body: DataScopeCreate }>('/data/scopes', {
    config: {
      action: 'data.scope.create',
      // The community the new scope will belong to decides (community-write): members add
      // scopes to their own community only.
      resource: async (req) => {
        const body = req.body as DataScopeCreate
        const community = await scopeCommunityFor(req.ctx, body.community)
        return { type: 'Scope', id: body.name, path: `/${body.name}`, community: community ?? '' }
      },
    },
    schema: routeSchema({
      operationId: 'addScope',
      tags,
      summary: 'Add a scope',
      body: DataScopeCreateSchema,
      response: { 201: DataScopeSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addScope(request.ctx, request.body)),
  })
  app.patch<{ Params: { scope: string }; Body: DataScopeUpdate }>('/data/scopes/:scope', {
    config: {
      action: 'data.scope.update',
      resource: (req) => scopeResource(req, (req.params as { scope: string }).scope),
    },
    schema: routeSchema({
      operationId: 'updateScope',
      tags,
      summary: 'Mark a scope open data (readable by every authenticated identity) or private',
      params: DataScopeParamsSchema,
      body: DataScopeUpdateSchema,
      response: { 200: DataScopeSchema },
    }),
    handler: (request) => updateScope(request.ctx, request.params.scope, request.body),
  })

  app.get<{ Querystring: DidListQuery }>('/data/dids', {
    config: {
      action: 'data.did.list',
      resource: (req) => scopeResource(req, (req.query as DidListQuery).scope),
    },
    schema: routeSchema({
      operationId: 'listDids',
      tags,
      summary: 'List data identifiers of a scope, by name pattern, type and metadata',
      querystring: DidListQuerySchema,
      response: { 200: DidPageSchema },
    }),
    handler: (request) => listDids(request.ctx, request.query),
  })
  app.post<{ Body: DidCreate }>('/data/dids', {
    config: {
      action: 'data.did.create',
      resource: (req) =>
        didResource(req, (req.body as DidCreate).scope, (req.body as DidCreate).name, true),
    },
    schema: routeSchema({
      operationId: 'addDid',
      tags,
      summary: 'Add a file, dataset or container',
      body: DidCreateSchema,
      response: { 201: DidSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addDid(request.ctx, request.body)),
  })
  app.get<{ Params: DidParams }>('/data/dids/:scope/:name', {
    config: { action: 'data.did.read', resource: didOf },
    schema: routeSchema({
      operationId: 'getDid',
      tags,
      summary: 'Get a data identifier',
      params: DidParamsSchema,
      response: { 200: DidSchema },
    }),
    handler: (request) => getDid(request.ctx, request.params),
  })
  app.patch<{ Params: DidParams; Body: DidUpdate }>('/data/dids/:scope/:name', {
    config: { action: 'data.did.update', resource: didOf },
    schema: routeSchema({
      operationId: 'updateDid',
      tags,
      summary: 'Close a collection or change metadata',
      params: DidParamsSchema,
      body: DidUpdateSchema,
      response: { 200: DidSchema },
    }),
    handler: (request) => updateDid(request.ctx, request.params, request.body),
  })
  app.delete<{ Params: DidParams }>('/data/dids/:scope/:name', {
    config: { action: 'data.did.delete', resource: didOf },
    schema: routeSchema({
      operationId: 'deleteDid',
      tags,
      summary: 'Delete an identifier (its name stays taken; its replicas are tombstoned)',
      params: DidParamsSchema,
      response: { 200: DidSchema },
    }),
    handler: (request) => deleteDid(request.ctx, request.params),
  })
  app.get<{ Params: DidParams; Querystring: { limit?: number; cursor?: string } }>(
    '/data/dids/:scope/:name/content',
    {
      config: { action: 'data.did.read', resource: didOf },
      schema: routeSchema({
        operationId: 'listContent',
        tags,
        summary: 'Direct content of a dataset or container',
        params: DidParamsSchema,
        querystring: ContentQuerySchema,
        response: { 200: DidPageSchema },
      }),
      handler: (request) => listContent(request.ctx, request.params, request.query),
    },
  )
  app.post<{ Params: DidParams; Body: Attachment }>('/data/dids/:scope/:name/attach', {
    config: { action: 'data.did.attach', resource: didOf },
    schema: routeSchema({
      operationId: 'attachDids',
      tags,
      summary: 'Attach files to a dataset, or collections to a container',
      params: DidParamsSchema,
      body: AttachmentSchema,
      response: { 200: Type.Object({ attached: Type.Integer() }) },
    }),
    handler: (request) => attachDids(request.ctx, request.params, request.body),
  })
  app.post<{ Params: DidParams; Body: Attachment }>('/data/dids/:scope/:name/detach', {
    config: { action: 'data.did.detach', resource: didOf },
    schema: routeSchema({
      operationId: 'detachDids',
      tags,
      summary: 'Detach content from an open, non-monotonic collection',
      params: DidParamsSchema,
      body: AttachmentSchema,
      response: { 200: Type.Object({ detached: Type.Integer() }) },
    }),
    handler: (request) => detachDids(request.ctx, request.params, request.body),
  })
  app.get<{ Params: DidParams }>('/data/dids/:scope/:name/replicas', {
    config: { action: 'data.replica.read', resource: didOf },
    schema: routeSchema({
      operationId: 'listReplicas',
      tags,
      summary: 'Replicas of a file or of every file below a collection',
      params: DidParamsSchema,
      response: { 200: ReplicaListSchema },
    }),
    handler: async (request) => ({ items: await listReplicas(request.ctx, request.params) }),
  })

  app.get<{ Querystring: { expression?: string } }>('/data/endpoints', {
    config: { action: 'data.endpoint.list' },
    schema: routeSchema({
      operationId: 'listEndpoints',
      tags,
      summary: 'List storage endpoints, or those an expression selects',
      querystring: EndpointListQuerySchema,
      response: { 200: EndpointListSchema },
    }),
    handler: async (request) => ({ items: await listEndpoints(request.ctx, request.query) }),
  })
  app.post<{ Body: EndpointCreate }>('/data/endpoints', {
    config: {
      action: 'data.endpoint.create',
      resource: (req) => ({ type: 'StorageEndpoint', id: (req.body as EndpointCreate).name }),
    },
    schema: routeSchema({
      operationId: 'addEndpoint',
      tags,
      summary: 'Add a storage endpoint',
      body: EndpointCreateSchema,
      response: { 201: EndpointSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addEndpoint(request.ctx, request.body)),
  })
  app.get<{ Params: EndpointParams }>('/data/endpoints/:endpoint', {
    config: { action: 'data.endpoint.read', resource: endpointOf },
    schema: routeSchema({
      operationId: 'getEndpoint',
      tags,
      summary: 'Get a storage endpoint by name or id',
      params: EndpointParamsSchema,
      response: { 200: EndpointSchema },
    }),
    handler: (request) => getEndpoint(request.ctx, request.params.endpoint),
  })
  app.patch<{ Params: EndpointParams; Body: EndpointUpdate }>('/data/endpoints/:endpoint', {
    config: { action: 'data.endpoint.update', resource: endpointOf },
    schema: routeSchema({
      operationId: 'updateEndpoint',
      tags,
      summary: 'Change attributes, protocols, availability or capacity',
      params: EndpointParamsSchema,
      body: EndpointUpdateSchema,
      response: { 200: EndpointSchema },
    }),
    handler: (request) => updateEndpoint(request.ctx, request.params.endpoint, request.body),
  })

  app.post<{ Body: ReplicaBulk }>('/data/replicas', {
    // 10k replicas per call is ~2 MB of JSON.
    bodyLimit: 16 * 1024 * 1024,
    config: {
      action: 'data.replica.create',
      resource: (req) => ({ type: 'StorageEndpoint', id: (req.body as ReplicaBulk).endpoint }),
    },
    schema: routeSchema({
      operationId: 'registerReplicas',
      tags,
      summary: 'Register replicas on an endpoint in bulk (per-item results)',
      body: ReplicaBulkSchema,
      response: { 200: BulkResultSchema },
    }),
    handler: (request) => registerReplicas(request.ctx, request.body),
  })
}
