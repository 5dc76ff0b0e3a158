/**
 * Every route is declared through `route()`: it must have a response schema (the onRoute check
 * in server.ts refuses any that lacks one), an operation id for the OpenAPI document, and the
 * policy action it performs — the security gate decides on that action.
 */
import type { FastifySchema } from 'fastify'
import { ErrorBodySchema, type TSchema } from '../contract/index.js'
import type { ResourceResolver, RouteResource } from './gate.js'

export type { RouteResource }

export interface RouteConfig {
  /** Policy action, e.g. `catalog.infrastructure.read`. */
  action: string
  /** Routes anyone may call without a token (health, discovery). */
  public?: boolean
  /** The resource the request touches, for the gate (e.g. WLCG `storage.read:/path` checks). */
  resource?: ResourceOf
  /** The handler authorises once it knows the resource (`request.authorize`). */
  deferAuthorization?: boolean
}

/** What a route touches (see gate.ts): a typed id and, for the namespace, its path (`/scope/name`). */
export type ResourceOf = ResourceResolver

declare module 'fastify' {
  interface FastifyContextConfig {
    action?: string
    public?: boolean
  }
}

export interface RouteSchemaInput {
  operationId: string
  tags: string[]
  summary: string
  description?: string
  params?: TSchema
  querystring?: TSchema
  body?: TSchema
  response: Record<number, TSchema>
}

export function routeSchema(input: RouteSchemaInput): FastifySchema {
  return {
    ...input,
    response: { ...input.response, '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
  }
}
