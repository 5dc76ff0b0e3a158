/** HTTP routes of the policy domain: stored Cedar policies, the schema, and "would X be allowed". */
import type { FastifyInstance } from 'fastify'
import {
  AccessSyncResultSchema,
  CedarSchemaSchema,
  PolicyCreateSchema,
  PolicyDetailSchema,
  PolicyListSchema,
  PolicyNameParamsSchema,
  PolicySchema,
  PolicyTestRequestSchema,
  PolicyTestResultSchema,
  Type,
  type PolicyCreate,
  type PolicyTestRequest,
} from '../../contract/index.js'
import {
  addPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  syncAccessPolicies,
  testPolicy,
} from '../../policy/index.js'
import { routeSchema } from '../route-schema.js'
import type { Security } from '../security.js'

const tags = ['policy']

export function policyRoutes(app: FastifyInstance, { security }: { security: Security }): void {
  const by = (identity: { principal: string } | undefined) => identity?.principal ?? 'anonymous'
  app.get<{ Querystring: { deleted?: boolean } }>('/policies', {
    config: { action: 'policy.policy.list' },
    schema: routeSchema({
      operationId: 'listPolicies',
      tags,
      summary: 'The current version of every policy',
      querystring: Type.Object(
        { deleted: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
      response: { 200: PolicyListSchema },
    }),
    handler: async (request) => ({
      items: await listPolicies(request.ctx, { includeDeleted: request.query.deleted === true }),
    }),
  })
  app.post('/policies/access-sync', {
    config: { action: 'policy.access.sync' },
    schema: routeSchema({
      operationId: 'syncAccessPolicies',
      tags,
      summary: "Compile the catalogue's access policies to Cedar and store the changed ones",
      response: { 200: AccessSyncResultSchema },
    }),
    handler: (request) => syncAccessPolicies(request.ctx, security.engine, by(request.identity)),
  })
  app.get('/policies/schema', {
    config: { action: 'policy.schema.read' },
    schema: routeSchema({
      operationId: 'getPolicySchema',
      tags,
      summary: 'The Cedar schema policies are validated against',
      response: { 200: CedarSchemaSchema },
    }),
    handler: async () => ({
      schema: security.engine.schema() as Record<string, unknown>,
      actions: [...security.actions].sort(),
    }),
  })
  app.get<{ Params: { name: string } }>('/policies/:name', {
    config: { action: 'policy.policy.read' },
    schema: routeSchema({
      operationId: 'getPolicy',
      tags,
      summary: 'A policy with all its versions',
      params: PolicyNameParamsSchema,
      response: { 200: PolicyDetailSchema },
    }),
    handler: (request) => getPolicy(request.ctx, request.params.name),
  })
  app.post<{ Body: PolicyCreate }>('/policies', {
    config: { action: 'policy.policy.create' },
    schema: routeSchema({
      operationId: 'addPolicy',
      tags,
      summary: 'Add a policy, or a new version of it; validated against the Cedar schema',
      body: PolicyCreateSchema,
      response: { 201: PolicySchema },
    }),
    handler: async (request, reply) =>
      reply
        .status(201)
        .send(await addPolicy(request.ctx, security.engine, request.body, by(request.identity))),
  })
  app.delete<{ Params: { name: string } }>('/policies/:name', {
    config: { action: 'policy.policy.delete' },
    schema: routeSchema({
      operationId: 'deletePolicy',
      tags,
      summary: 'Delete a policy (its history stays)',
      params: PolicyNameParamsSchema,
      response: { 200: PolicySchema },
    }),
    handler: (request) =>
      deletePolicy(request.ctx, security.engine, request.params.name, by(request.identity)),
  })
  app.post<{ Body: PolicyTestRequest }>('/policies/test', {
    config: { action: 'policy.decision.test' },
    schema: routeSchema({
      operationId: 'testPolicy',
      tags,
      summary: 'Would this identity be allowed this action on this resource, and why',
      body: PolicyTestRequestSchema,
      response: { 200: PolicyTestResultSchema },
    }),
    handler: (request) => testPolicy(request.ctx, security.engine, request.body),
  })
}
