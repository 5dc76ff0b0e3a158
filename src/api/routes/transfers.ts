/** HTTP routes of the transfer scheduler: requests with their history, link statistics, shares. */
import type { FastifyInstance } from 'fastify'
import {
  RuleParamsSchema,
  StringEnum,
  TransferDetailSchema,
  TransferLinkStatsSchema,
  TransferLinkUpdateSchema,
  TransferListSchema,
  TransferShareListSchema,
  TransferShareSchema,
  TransferStatsSchema,
  Type,
  shareKinds,
  transferStates,
  type TransferLinkUpdate,
  type TransferShare,
} from '../../contract/index.js'
import {
  deleteTransferShare,
  getTransfer,
  getTransferStats,
  listTransferShares,
  listTransfers,
  setTransferLink,
  setTransferShare,
} from '../../transfers/index.js'
import { routeSchema } from '../route-schema.js'
import { transferResource } from './tenancy.js'

const tags = ['transfers']

export function transferRoutes(app: FastifyInstance): void {
  app.get<{
    Querystring: { state?: string; scope?: string; name?: string; rule?: string; limit?: number }
  }>('/transfers', {
    config: { action: 'transfers.request.list' },
    schema: routeSchema({
      operationId: 'listTransfers',
      tags,
      summary: "Transfer requests, by state, identifier or rule (a rule's progress)",
      querystring: Type.Object(
        {
          state: Type.Optional(StringEnum(transferStates)),
          scope: Type.Optional(Type.String({ maxLength: 25 })),
          name: Type.Optional(Type.String({ maxLength: 250 })),
          rule: Type.Optional(
            Type.String({ format: 'uuid', description: "Only this rule's transfers." }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: TransferListSchema },
    }),
    handler: async (request) => ({ items: await listTransfers(request.ctx, request.query) }),
  })

  app.get<{ Querystring: { window?: number } }>('/transfers/stats', {
    config: { action: 'transfers.stats.read' },
    schema: routeSchema({
      operationId: 'getTransferStats',
      tags,
      summary:
        'Per link: active, queued, limits, throughput and success rate over a window (seconds)',
      querystring: Type.Object(
        { window: Type.Optional(Type.Integer({ minimum: 1, maximum: 604800, default: 3600 })) },
        { additionalProperties: false },
      ),
      response: { 200: TransferStatsSchema },
    }),
    handler: (request) => getTransferStats(request.ctx, request.query.window),
  })

  app.put<{ Body: TransferLinkUpdate }>('/transfers/links', {
    config: { action: 'transfers.link.update' },
    schema: routeSchema({
      operationId: 'setTransferLink',
      tags,
      summary:
        "Set a link's ceiling of active transfers (the optimiser stays below it), or close it (multi-hop)",
      body: TransferLinkUpdateSchema,
      response: { 200: TransferLinkStatsSchema },
    }),
    handler: (request) => setTransferLink(request.ctx, request.body),
  })

  app.get('/transfers/shares', {
    config: { action: 'transfers.share.list' },
    schema: routeSchema({
      operationId: 'listTransferShares',
      tags,
      summary: 'Activity and community share weights (unlisted names weigh 1)',
      response: { 200: TransferShareListSchema },
    }),
    handler: async (request) => ({ items: await listTransferShares(request.ctx) }),
  })

  app.put<{ Body: TransferShare }>('/transfers/shares', {
    config: { action: 'transfers.share.update' },
    schema: routeSchema({
      operationId: 'setTransferShare',
      tags,
      summary: 'Set the weight of an activity or a community',
      body: TransferShareSchema,
      response: { 200: TransferShareSchema },
    }),
    handler: (request) => setTransferShare(request.ctx, request.body),
  })

  app.delete<{ Params: { kind: string; name: string } }>('/transfers/shares/:kind/:name', {
    config: { action: 'transfers.share.delete' },
    schema: routeSchema({
      operationId: 'deleteTransferShare',
      tags,
      summary: 'Remove a share (the name weighs 1 again)',
      params: Type.Object(
        { kind: StringEnum(shareKinds), name: Type.String({ minLength: 1, maxLength: 100 }) },
        { additionalProperties: false },
      ),
      response: { 204: Type.Null() },
    }),
    handler: async (request, reply) => {
      await deleteTransferShare(request.ctx, request.params.kind, request.params.name)
      return reply.status(204).send()
    },
  })

  app.get<{ Params: { id: string } }>('/transfers/:id', {
    config: {
      action: 'transfers.request.read',
      resource: (req) => transferResource(req, (req.params as { id: string }).id),
    },
    schema: routeSchema({
      operationId: 'getTransfer',
      tags,
      summary: 'One transfer request with its attempt history and events',
      params: RuleParamsSchema,
      response: { 200: TransferDetailSchema },
    }),
    handler: (request) => getTransfer(request.ctx, request.params.id),
  })
}
