/**
 * The gate's resources for community-owned items: each names the item's community, owner and
 * openness (read from the database), and the NOT_FOUND error a caller who may not see it gets.
 * A missing item answers NOT_FOUND to everyone before any policy is asked, so a 404 says nothing
 * about whether another community's item exists.
 */
import type { FastifyRequest } from 'fastify'
import { namespacePath, ruleTenancy, scopeNotFound, scopeTenancy } from '../../data/index.js'
import { ContinuumError } from '../../platform/index.js'
import { transferNotFound, transferTenancy } from '../../transfers/index.js'
import { workflowTenancy } from '../../workflows/index.js'
import type { RouteResource } from '../gate.js'

/** A scope (listing its identifiers, changing it). */
export async function scopeResource(
  request: FastifyRequest,
  scope: string,
): Promise<RouteResource> {
  const notFound = scopeNotFound(scope)
  const tenancy = await scopeTenancy(request.ctx, scope)
  if (!tenancy) throw notFound
  return { type: 'Scope', id: scope, path: `/${scope}`, ...tenancy, notFound }
}

/**
 * A data identifier: its namespace path for WLCG storage scopes, its scope's community. Routes
 * that create it (`creating`) answer SCOPE_NOT_FOUND for a scope the caller cannot see.
 */
export async function didResource(
  request: FastifyRequest,
  scope: string,
  name: string,
  creating = false,
): Promise<RouteResource> {
  const did = `${scope}:${name}`
  // namespacePath validates the identifier first, so a path never holds `..`.
  const path = namespacePath({ scope, name })
  const notFound = creating
    ? scopeNotFound(scope)
    : new ContinuumError('DID_NOT_FOUND', `data identifier '${did}' not found`, { did })
  const tenancy = await scopeTenancy(request.ctx, scope)
  if (!tenancy) throw notFound
  return { type: 'DataIdentifier', id: did, path, ...tenancy, notFound }
}

export async function ruleResource(request: FastifyRequest, id: string): Promise<RouteResource> {
  const notFound = new ContinuumError('RULE_NOT_FOUND', `rule '${id}' not found`, { rule: id })
  const tenancy = await ruleTenancy(request.ctx, id)
  if (!tenancy) throw notFound
  return { type: 'Rule', id, community: tenancy.community, ...ownerOf(tenancy.owner), notFound }
}

export async function transferResource(
  request: FastifyRequest,
  id: string,
): Promise<RouteResource> {
  const notFound = transferNotFound(id)
  const tenancy = await transferTenancy(request.ctx, id)
  if (!tenancy) throw notFound
  return {
    type: 'TransferRequest',
    id,
    community: tenancy.community,
    ...ownerOf(tenancy.owner),
    notFound,
  }
}

export async function workflowResource(
  request: FastifyRequest,
  id: string,
): Promise<RouteResource> {
  const notFound = new ContinuumError('WORKFLOW_NOT_FOUND', `workflow '${id}' not found`, {
    workflow: id,
  })
  const tenancy = await workflowTenancy(request.ctx, id)
  if (!tenancy) throw notFound
  return { type: 'Workflow', id, community: tenancy.community, ...ownerOf(tenancy.owner), notFound }
}

/**
 * The account a rule is charged to, as a resource of `data.account.use`: a community account
 * belongs to that community; any other account is a person's own (`name` = their subject).
 */
export function accountResource(account: string): RouteResource {
  return { type: 'Account', id: account, name: account, community: account }
}

function ownerOf(owner: string | null): { owner?: string } {
  return owner === null ? {} : { owner }
}
