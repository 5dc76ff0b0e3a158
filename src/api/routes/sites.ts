/**
 * HTTP routes of sites: catalogue compute services bound to executors, and catalogue storage
 * services bound to the federation's endpoints. Everyone reads; binding, draining and removing
 * are `sites.*` writes, which the shipped policies give to admins and `/continuum/operators`.
 * Resources are `ComputeSite` / `StorageBinding` (never `ComputeService`, which the landscape's
 * access policies open to eligible communities for submitting tasks).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  ComputeSiteCreateSchema,
  ComputeSiteListSchema,
  ComputeSiteParamsSchema,
  ComputeSiteSchema,
  StorageBindingCreateSchema,
  StorageBindingListSchema,
  StorageBindingParamsSchema,
  StorageBindingSchema,
  Type,
  UseCaseParamsSchema,
  UseCasePlanRequestSchema,
  UseCasePlanSchema,
  type ComputeSiteCreate,
  type StorageBindingCreate,
  type UseCasePlanRequest,
} from '../../contract/index.js'
import type { PolicyEngine } from '../../policy/index.js'
import {
  addSite,
  bindStorageService,
  deleteSite,
  drainSite,
  getSite,
  listSites,
  listStorageBindings,
  planUseCase,
} from '../../workflows/index.js'
import { routeSchema, type RouteResource } from '../route-schema.js'

type Name = { name: string }

const siteOf = (req: FastifyRequest): RouteResource => {
  const name = (req.params as Partial<Name>).name ?? (req.body as ComputeSiteCreate).name ?? ''
  return { type: 'ComputeSite', id: name || (req.body as ComputeSiteCreate).service, name }
}
const bindingOf = (req: FastifyRequest): RouteResource => ({
  type: 'StorageBinding',
  id: (req.params as { service: string }).service,
})

export function siteRoutes(
  app: FastifyInstance,
  { sitesRoot, policy }: { sitesRoot: string; policy: PolicyEngine },
): void {
  const tags = ['sites']
  app.post<{ Params: { name: string }; Body: UseCasePlanRequest }>('/landscape/plan/:name', {
    // A read: planning stores nothing and submits nothing.
    config: { action: 'landscape.plan.read' },
    schema: routeSchema({
      operationId: 'planUseCase',
      tags: ['landscape'],
      summary:
        "Where the broker would place each task of a use case's workflow and why, next to the landscape match's reasons",
      params: UseCaseParamsSchema,
      body: UseCasePlanRequestSchema,
      response: { 200: UseCasePlanSchema },
    }),
    handler: (request) => planUseCase(request.ctx, request.params.name, request.body, { policy }),
  })
  app.get('/sites', {
    config: { action: 'sites.site.list' },
    schema: routeSchema({
      operationId: 'listSites',
      tags,
      summary: 'Compute sites: catalogue services bound to executors, with what they offer',
      response: { 200: ComputeSiteListSchema },
    }),
    handler: async (request) => ({ items: await listSites(request.ctx) }),
  })
  app.post<{ Body: ComputeSiteCreate }>('/sites', {
    config: { action: 'sites.site.create', resource: siteOf },
    schema: routeSchema({
      operationId: 'addSite',
      tags,
      summary:
        'Bind a catalogue compute service to an executor (checked: the executor must answer and say what it offers)',
      body: ComputeSiteCreateSchema,
      response: { 201: ComputeSiteSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addSite(request.ctx, request.body, { sitesRoot })),
  })
  app.get<{ Params: Name }>('/sites/:name', {
    config: { action: 'sites.site.read', resource: siteOf },
    schema: routeSchema({
      operationId: 'getSite',
      tags,
      summary: 'A compute site with its binding, offers and unfinished tasks',
      params: ComputeSiteParamsSchema,
      response: { 200: ComputeSiteSchema },
    }),
    handler: (request) => getSite(request.ctx, request.params.name),
  })
  app.post<{ Params: Name; Body: { drain?: boolean } }>('/sites/:name/drain', {
    config: { action: 'sites.site.drain', resource: siteOf },
    schema: routeSchema({
      operationId: 'drainSite',
      tags,
      summary: 'Stop placing new tasks on a site (placed ones finish); drain=false takes it back',
      params: ComputeSiteParamsSchema,
      body: Type.Object(
        { drain: Type.Optional(Type.Boolean({ default: true })) },
        { additionalProperties: false },
      ),
      response: { 200: ComputeSiteSchema },
    }),
    handler: (request) => drainSite(request.ctx, request.params.name, request.body.drain ?? true),
  })
  app.delete<{ Params: Name }>('/sites/:name', {
    config: { action: 'sites.site.delete', resource: siteOf },
    schema: routeSchema({
      operationId: 'deleteSite',
      tags,
      summary: 'Remove a site binding (refused while tasks placed there are unfinished)',
      params: ComputeSiteParamsSchema,
      response: { 200: ComputeSiteSchema },
    }),
    handler: (request) => deleteSite(request.ctx, request.params.name),
  })
  app.get('/storage-bindings', {
    config: { action: 'sites.storage.list' },
    schema: routeSchema({
      operationId: 'listStorageBindings',
      tags,
      summary: 'Catalogue storage services bound to the federation’s endpoints',
      response: { 200: StorageBindingListSchema },
    }),
    handler: async (request) => ({ items: await listStorageBindings(request.ctx) }),
  })
  app.put<{ Params: { service: string }; Body: StorageBindingCreate }>(
    '/storage-bindings/:service',
    {
      config: { action: 'sites.storage.bind', resource: bindingOf },
      schema: routeSchema({
        operationId: 'bindStorageService',
        tags,
        summary:
          'Bind a catalogue storage service to exactly these endpoints (they take its name and catalogue site)',
        params: StorageBindingParamsSchema,
        body: StorageBindingCreateSchema,
        response: { 200: StorageBindingSchema },
      }),
      handler: (request) =>
        bindStorageService(request.ctx, request.params.service, request.body.endpoints),
    },
  )
}
