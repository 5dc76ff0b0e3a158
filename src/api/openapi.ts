/** The OpenAPI 3.1 document, generated from the route schemas and served at /openapi.json. */
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { Type } from '../contract/index.js'
import { routeSchema } from './route-schema.js'

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Continuum API',
        version,
        description: "Europe's research e-Infrastructures as one compute and data continuum. Errors are `{error:{code,message,details,requestId}}` with codes from docs/errors.md.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  })
}

export function openApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', {
    config: { action: 'openapi.read', public: true },
    logLevel: 'warn',
    schema: {
      ...routeSchema({
        operationId: 'getOpenApi',
        tags: ['meta'],
        summary: 'This document',
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      }),
      hide: true,
    },
    handler: async () => app.swagger(),
  })
}
