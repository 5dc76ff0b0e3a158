/** HTTP routes of the catalogue: communities and infrastructures. */
import type { FastifyInstance } from 'fastify'
import {
  addCommunity,
  addInfrastructure,
  deleteCommunity,
  deleteInfrastructure,
  getCommunity,
  getInfrastructure,
  listCommunities,
  listInfrastructures,
  updateCommunity,
  updateInfrastructure,
} from '../../catalog/index.js'
import {
  CommunityCreateSchema,
  CommunityListQuerySchema,
  CommunityPageSchema,
  CommunitySchema,
  CommunityUpdateSchema,
  IdOrNameParamsSchema,
  InfrastructureCreateSchema,
  InfrastructureListQuerySchema,
  InfrastructurePageSchema,
  InfrastructureSchema,
  InfrastructureUpdateSchema,
  type CommunityCreate,
  type CommunityListQuery,
  type CommunityUpdate,
  type InfrastructureCreate,
  type InfrastructureListQuery,
  type InfrastructureUpdate,
} from '../../contract/index.js'
import { routeSchema } from '../route-schema.js'

type IdParams = { id: string }

export function catalogRoutes(app: FastifyInstance): void {
  const tags = ['catalog']

  app.get<{ Querystring: InfrastructureListQuery }>('/catalog/infrastructures', {
    config: { action: 'catalog.infrastructure.list' },
    schema: routeSchema({
      operationId: 'listInfrastructures',
      tags,
      summary: 'List infrastructures, filtered and paged',
      querystring: InfrastructureListQuerySchema,
      response: { 200: InfrastructurePageSchema },
    }),
    handler: (request) => listInfrastructures(request.ctx, request.query),
  })
  app.post<{ Body: InfrastructureCreate }>('/catalog/infrastructures', {
    config: { action: 'catalog.infrastructure.create' },
    schema: routeSchema({
      operationId: 'addInfrastructure',
      tags,
      summary: 'Add an infrastructure',
      body: InfrastructureCreateSchema,
      response: { 201: InfrastructureSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addInfrastructure(request.ctx, request.body)),
  })
  app.get<{ Params: IdParams }>('/catalog/infrastructures/:id', {
    config: { action: 'catalog.infrastructure.read' },
    schema: routeSchema({
      operationId: 'getInfrastructure',
      tags,
      summary: 'Get an infrastructure by id or name',
      params: IdOrNameParamsSchema,
      response: { 200: InfrastructureSchema },
    }),
    handler: (request) => getInfrastructure(request.ctx, request.params.id),
  })
  app.patch<{ Params: IdParams; Body: InfrastructureUpdate }>('/catalog/infrastructures/:id', {
    config: { action: 'catalog.infrastructure.update' },
    schema: routeSchema({
      operationId: 'updateInfrastructure',
      tags,
      summary: 'Change fields of an infrastructure',
      params: IdOrNameParamsSchema,
      body: InfrastructureUpdateSchema,
      response: { 200: InfrastructureSchema },
    }),
    handler: (request) => updateInfrastructure(request.ctx, request.params.id, request.body),
  })
  app.delete<{ Params: IdParams }>('/catalog/infrastructures/:id', {
    config: { action: 'catalog.infrastructure.delete' },
    schema: routeSchema({
      operationId: 'deleteInfrastructure',
      tags,
      summary: 'Delete an infrastructure; answers with the deleted record',
      params: IdOrNameParamsSchema,
      response: { 200: InfrastructureSchema },
    }),
    handler: (request) => deleteInfrastructure(request.ctx, request.params.id),
  })

  app.get<{ Querystring: CommunityListQuery }>('/catalog/communities', {
    config: { action: 'catalog.community.list' },
    schema: routeSchema({
      operationId: 'listCommunities',
      tags,
      summary: 'List communities, filtered and paged',
      querystring: CommunityListQuerySchema,
      response: { 200: CommunityPageSchema },
    }),
    handler: (request) => listCommunities(request.ctx, request.query),
  })
  app.post<{ Body: CommunityCreate }>('/catalog/communities', {
    config: { action: 'catalog.community.create' },
    schema: routeSchema({
      operationId: 'addCommunity',
      tags,
      summary: 'Add a community',
      body: CommunityCreateSchema,
      response: { 201: CommunitySchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addCommunity(request.ctx, request.body)),
  })
  app.get<{ Params: IdParams }>('/catalog/communities/:id', {
    config: { action: 'catalog.community.read' },
    schema: routeSchema({
      operationId: 'getCommunity',
      tags,
      summary: 'Get a community by id or name',
      params: IdOrNameParamsSchema,
      response: { 200: CommunitySchema },
    }),
    handler: (request) => getCommunity(request.ctx, request.params.id),
  })
  app.patch<{ Params: IdParams; Body: CommunityUpdate }>('/catalog/communities/:id', {
    config: { action: 'catalog.community.update' },
    schema: routeSchema({
      operationId: 'updateCommunity',
      tags,
      summary: 'Change fields of a community',
      params: IdOrNameParamsSchema,
      body: CommunityUpdateSchema,
      response: { 200: CommunitySchema },
    }),
    handler: (request) => updateCommunity(request.ctx, request.params.id, request.body),
  })
  app.delete<{ Params: IdParams }>('/catalog/communities/:id', {
    config: { action: 'catalog.community.delete' },
    schema: routeSchema({
      operationId: 'deleteCommunity',
      tags,
      summary: 'Delete a community; answers with the deleted record',
      params: IdOrNameParamsSchema,
      response: { 200: CommunitySchema },
    }),
    handler: (request) => deleteCommunity(request.ctx, request.params.id),
  })
}
