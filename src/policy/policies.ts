/**
 * Use cases of the stored Cedar policies: list, show with history, add a version (validated
 * against the schema of the registered actions), delete (a tombstone version), and test
 * "would X be allowed to Y on Z, and why".
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import {
  parseCapabilityScopes,
  MalformedScopeError,
  hasCapabilityScopes,
  parseGroups,
  communityOfGroup,
} from '../auth/index.js'
import type {
  Policy,
  PolicyCreate,
  PolicyDetail,
  PolicyTestRequest,
  PolicyTestResult,
} from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import { resourceTypes, type ResourceType } from './cedar-schema.js'
import { scopeDecision } from './capabilities.js'
import { PolicyEngine, toStaticPolicies, type PolicyText } from './engine.js'
import {
  insertPolicyRow,
  latestPolicyVersion,
  listCurrentPolicyRows,
  listPolicyVersionRows,
  type PolicyRow,
} from './policies-store.js'

export async function listPolicies(
  ctx: Context,
  options: { includeDeleted?: boolean } = {},
): Promise<Policy[]> {
  const rows = await listCurrentPolicyRows(ctx.db)
  return rows.filter((r) => options.includeDeleted || !r.deleted).map(toPolicy)
}

export async function getPolicy(ctx: Context, name: string): Promise<PolicyDetail> {
  const versions = await listPolicyVersionRows(ctx.db, name)
  const current = versions[0]
  if (!current) throw new ContinuumError('POLICY_NOT_FOUND', `policy '${name}' not found`, { name })
  return { ...toPolicy(current), versions: versions.map(toPolicy) }
}

/** Adds a policy or a new version of one; refuses text that does not validate against the schema. */
export async function addPolicy(
  ctx: Context,
  engine: PolicyEngine,
  input: PolicyCreate,
  by: string,
  source: 'api' | 'access-policy' = 'api',
): Promise<Policy> {
  return ctx.db
    .transaction()
    .execute(async (tx) => {
      const current = (await listCurrentPolicyRows(tx)).filter(
        (r) => !r.deleted && r.name !== input.name,
      )
      validatePolicies(
        engine,
        [
          ...current.map((r) => ({ name: r.name, body: r.body })),
          { name: input.name, body: input.body },
        ],
        input.name,
      )
      const row: PolicyRow = {
        id: newId(),
        name: input.name,
        version: (await latestPolicyVersion(tx, input.name)) + 1,
        body: input.body,
        description: input.description ?? '',
        source,
        deleted: false,
        created_by: by,
        created_at: ctx.clock.now(),
      }
      await insertPolicyRow(tx, row)
      return row
    })
    .then(async (row) => {
      await engine.reload()
      return toPolicy(row)
    })
}

/**
 * Adds (new versions of) several policies in one transaction, validated together once: for
 * bulk sources such as the landscape's compiled access policies. All or nothing.
 */
export async function addPolicies(
  ctx: Context,
  engine: PolicyEngine,
  inputs: readonly PolicyCreate[],
  by: string,
  source: 'api' | 'access-policy' = 'api',
): Promise<Policy[]> {
  if (inputs.length === 0) return []
  const names = new Set(inputs.map((i) => i.name))
  const rows = await ctx.db.transaction().execute(async (tx) => {
    const current = (await listCurrentPolicyRows(tx)).filter(
      (r) => !r.deleted && !names.has(r.name),
    )
    validatePolicies(
      engine,
      [
        ...current.map((r) => ({ name: r.name, body: r.body })),
        ...inputs.map((i) => ({ name: i.name, body: i.body })),
      ],
      names,
    )
    const out: PolicyRow[] = []
    for (const input of inputs) {
      const row: PolicyRow = {
        id: newId(),
        name: input.name,
        version: (await latestPolicyVersion(tx, input.name)) + 1,
        body: input.body,
        description: input.description ?? '',
        source,
        deleted: false,
        created_by: by,
        created_at: ctx.clock.now(),
      }
      await insertPolicyRow(tx, row)
      out.push(row)
    }
    return out
  })
  await engine.reload()
  return rows.map(toPolicy)
}

export async function deletePolicy(
  ctx: Context,
  engine: PolicyEngine,
  name: string,
  by: string,
): Promise<Policy> {
  const row = await ctx.db.transaction().execute(async (tx) => {
    const versions = await listPolicyVersionRows(tx, name)
    const current = versions[0]
    if (!current || current.deleted) {
      throw new ContinuumError('POLICY_NOT_FOUND', `policy '${name}' not found`, { name })
    }
    const tombstone: PolicyRow = {
      ...current,
      id: newId(),
      version: current.version + 1,
      deleted: true,
      created_by: by,
      created_at: ctx.clock.now(),
    }
    await insertPolicyRow(tx, tombstone)
    return tombstone
  })
  await engine.reload()
  return toPolicy(row)
}

/** Cedar's strict validation of a whole set; errors of `only` (when given) are reported. */
export function validatePolicies(
  engine: PolicyEngine,
  policies: readonly PolicyText[],
  only?: string | ReadonlySet<string>,
): void {
  const staticPolicies = toStaticPolicies(policies)
  const answer = cedar.validate({
    schema: engine.schema(),
    policies: { staticPolicies },
    validationSettings: { mode: 'strict' },
  })
  if (answer.type === 'failure') {
    throw new ContinuumError('POLICY_INVALID', answer.errors.map((e) => e.message).join('; '))
  }
  const errors = answer.validationErrors.filter((e) => {
    const name = e.policyId.split('/')[0] ?? ''
    return only === undefined || (typeof only === 'string' ? name === only : only.has(name))
  })
  if (errors.length > 0) {
    throw new ContinuumError(
      'POLICY_INVALID',
      `policy does not validate: ${errors.map((e) => e.error.message).join('; ')}`,
      {
        errors: errors.map((e) => ({ policy: e.policyId, message: e.error.message })),
      },
    )
  }
}

/** "Would X be allowed to Y on Z, and why": the gate's decision for a described identity. */
export async function testPolicy(
  ctx: Context,
  engine: PolicyEngine,
  input: PolicyTestRequest,
): Promise<PolicyTestResult> {
  const groups = parseGroups(input.principal.groups ?? [])
  const communities = input.principal.communities ?? [
    ...new Set(groups.map(communityOfGroup).filter((c): c is string => c !== undefined)),
  ]
  let scopes
  try {
    scopes = parseCapabilityScopes(input.principal.scope ?? '')
  } catch (err) {
    if (!(err instanceof MalformedScopeError)) throw err
    throw new ContinuumError('VALIDATION_FAILED', `principal.scope: ${err.message}`, {
      field: 'principal.scope',
    })
  }
  if (!(engine.schema()['']?.actions ?? {})[input.action]) {
    throw new ContinuumError('VALIDATION_FAILED', `unknown action '${input.action}'`, {
      field: 'action',
    })
  }
  if (!(resourceTypes as readonly string[]).includes(input.resource.type)) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `unknown resource type '${input.resource.type}'`,
      { field: 'resource.type' },
    )
  }
  const resource = {
    type: input.resource.type as ResourceType,
    id: input.resource.id,
    attrs: input.resource.attrs ?? {},
  }
  const context = {
    ...scopeDecision(
      { capabilityToken: hasCapabilityScopes(scopes), scopes },
      input.action,
      resource,
    ),
    ...input.context,
  }
  const issuer = input.principal.issuer ?? 'test'
  let target = engine
  if (input.policies) {
    target = new PolicyEngine(ctx, () =>
      Object.keys(engine.schema()['']?.actions ?? {}).filter((a) => a.split('.').length > 2),
    )
    target.load(input.policies)
  } else {
    await engine.ensureCurrent()
  }
  const decision = target.decide(
    {
      principal: {
        principal: `${issuer}#${input.principal.subject}`,
        issuer,
        subject: input.principal.subject,
        groups,
        communities,
      },
      action: input.action,
      resource,
      context,
    },
    { useCache: false },
  )
  return {
    ...decision,
    identity: {
      groups,
      communities,
      capabilityToken: context.capabilityToken,
      scopeGrants: context.scopeGrants,
    },
  }
}

function toPolicy(r: PolicyRow): Policy {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    body: r.body,
    description: r.description,
    source: r.source as Policy['source'],
    deleted: r.deleted,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  }
}
