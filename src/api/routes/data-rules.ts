/** HTTP routes of replication rules, quotas and bad replicas (transfer requests: transfers.ts). */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  BadReplicaSchema,
  LockListSchema,
  QuotaListSchema,
  QuotaSchema,
  QuotaSetSchema,
  RuleCreateSchema,
  RuleListQuerySchema,
  RuleListSchema,
  RuleParamsSchema,
  RuleSchema,
  Type,
  type BadReplica,
  type QuotaSet,
  type RuleCreate,
  type RuleListQuery,
} from '../../contract/index.js'
import {
  addRule,
  defaultRuleAccount,
  scopeTenancy,
  declareBadReplica,
  deleteRule,
  getRule,
  listQuotas,
  listRuleLocks,
  listRules,
  setQuota,
} from '../../data/index.js'
import { routeSchema } from '../route-schema.js'
import { accountResource, didResource, ruleResource } from './tenancy.js'

export function dataRuleRoutes(app: FastifyInstance): void {
  const tags = ['data']
  const ruleOf = {
    resource: (req: FastifyRequest) => ruleResource(req, (req.params as { id: string }).id),
  }

  app.post<{ Body: RuleCreate }>('/data/rules', {
    config: {
      action: 'data.rule.create',
      resource: (req) =>
        didResource(req, (req.body as RuleCreate).scope, (req.body as RuleCreate).name),
    },
    schema: routeSchema({
      operationId: 'addRule',
      tags,
      summary: 'Add a replication rule',
      body: RuleCreateSchema,
      response: { 201: RuleSchema },
    }),
    handler: async (request, reply) => {
      // The account the rule is charged to must be one the caller may act for (policy
      // `data.account.use`: their own, or a community they belong to), and it is audited.
      const scope = await scopeTenancy(request.ctx, request.body.scope)
      const account =
        request.body.account ?? defaultRuleAccount(request.ctx.actor, scope?.community)
      request.authorize('data.account.use', accountResource(account))
      const rule = await addRule(request.ctx, { ...request.body, account })
      return reply.status(201).send(rule)
    },
  })
  app.get<{ Querystring: RuleListQuery }>('/data/rules', {
    config: { action: 'data.rule.list' },
    schema: routeSchema({
      operationId: 'listRules',
      tags,
      summary: 'List rules by identifier, account or state',
      querystring: RuleListQuerySchema,
      response: { 200: RuleListSchema },
    }),
    handler: async (request) => ({ items: await listRules(request.ctx, request.query) }),
  })
  app.get<{ Params: { id: string } }>('/data/rules/:id', {
    config: { action: 'data.rule.read', ...ruleOf },
    schema: routeSchema({
      operationId: 'getRule',
      tags,
      summary: 'Get a rule',
      params: RuleParamsSchema,
      response: { 200: RuleSchema },
    }),
    handler: (request) => getRule(request.ctx, request.params.id),
  })
  app.get<{ Params: { id: string } }>('/data/rules/:id/locks', {
    config: { action: 'data.rule.read', ...ruleOf },
    schema: routeSchema({
      operationId: 'listRuleLocks',
      tags,
      summary: "A rule's locks per file and endpoint, with the reason for each stuck one",
      params: RuleParamsSchema,
      response: { 200: LockListSchema },
    }),
    handler: async (request) => ({ items: await listRuleLocks(request.ctx, request.params.id) }),
  })
  app.delete<{ Params: { id: string } }>('/data/rules/:id', {
    config: { action: 'data.rule.delete', ...ruleOf },
    schema: routeSchema({
      operationId: 'deleteRule',
      tags,
      summary: 'Delete a rule; unlocked replicas get tombstones',
      params: RuleParamsSchema,
      response: { 200: RuleSchema },
    }),
    handler: (request) => deleteRule(request.ctx, request.params.id),
  })

  app.post<{ Body: BadReplica }>('/data/replicas/bad', {
    config: {
      action: 'data.replica.declare-bad',
      resource: (req) =>
        didResource(req, (req.body as BadReplica).scope, (req.body as BadReplica).name),
    },
    schema: routeSchema({
      operationId: 'declareBadReplica',
      tags,
      summary: 'Declare a replica lost or corrupted; rules re-replicate it',
      body: BadReplicaSchema,
      response: { 200: Type.Object({ transfers: Type.Integer() }) },
    }),
    handler: (request) => declareBadReplica(request.ctx, request.body),
  })

  app.put<{ Body: QuotaSet }>('/data/quotas', {
    config: {
      action: 'data.quota.set',
      // A quota on an expression is asked about as the expression (policies may match on it).
      resource: (req) => {
        const body = req.body as QuotaSet
        return { type: 'StorageEndpoint', id: body.endpoint ?? body.expression ?? '' }
      },
    },
    schema: routeSchema({
      operationId: 'setQuota',
      tags,
      summary:
        'Set the bytes an account or community may lock on an endpoint, or on all the endpoints an expression covers',
      body: QuotaSetSchema,
      response: { 200: QuotaSchema },
    }),
    handler: (request) => setQuota(request.ctx, request.body),
  })
  app.get<{ Querystring: { owner?: string } }>('/data/quotas', {
    config: { action: 'data.quota.list' },
    schema: routeSchema({
      operationId: 'listQuotas',
      tags,
      summary: 'Quotas with the bytes in use',
      querystring: Type.Object(
        { owner: Type.Optional(Type.String({ maxLength: 100 })) },
        { additionalProperties: false },
      ),
      response: { 200: QuotaListSchema },
    }),
    handler: async (request) => ({ items: await listQuotas(request.ctx, request.query.owner) }),
  })
}
