/**
 * Keeps the gate in step with the landscape: every catalogue access policy (D5.2) is compiled to
 * Cedar and stored as versioned policies named `access.<policy>.<compute|storage>`, so what the
 * Plan face says about who may use which service is what the Run face enforces.
 *
 * Eligibility maps to communities: the named communities and VOs (a VO's name is the community
 * its token groups map to); "any European researcher" becomes any member of any community.
 * A policy that names no services covers every service of its infrastructure.
 */
import { listAllRecords, type WireRecord } from '../catalog/index.js'
import type { Context } from '../db/index.js'
import { compileAccessPolicy, type AccessPolicyInput } from './access-policy-compiler.js'
import type { PolicyEngine } from './engine.js'
import { addPolicies, listPolicies } from './policies.js'

export interface AccessSyncResult {
  /** Access policies compiled, with the Cedar policies stored for each. */
  compiled: Array<{ accessPolicy: string; policies: string[] }>
  /** Access policies that grant nothing compilable (no eligible community or no service). */
  skipped: Array<{ accessPolicy: string; reason: string }>
}

interface Eligibility {
  anyEuropeanResearcher?: boolean
  communities?: string[]
  vos?: string[]
}

export async function accessPolicyInputs(ctx: Context): Promise<AccessPolicyInput[]> {
  const [policies, compute, storage] = await Promise.all([
    listAllRecords(ctx.db, 'accessPolicy'),
    listAllRecords(ctx.db, 'computeService'),
    listAllRecords(ctx.db, 'storageService'),
  ])
  const computeNames = new Set(compute.map((s) => s.name))
  const storageNames = new Set(storage.map((s) => s.name))
  const ofInfrastructure = (services: WireRecord[], infrastructure: unknown) =>
    services.filter((s) => s.infrastructure === infrastructure).map((s) => s.name)
  return policies.map((policy) => {
    const eligibility = (policy.eligibility ?? {}) as Eligibility
    const named = (policy.services as string[] | undefined) ?? []
    const communities = eligibility.anyEuropeanResearcher
      ? ['*']
      : [...new Set([...(eligibility.communities ?? []), ...(eligibility.vos ?? [])])]
    return {
      name: policy.name,
      communities,
      accessRoute: String(policy.route),
      computeServices: named.length
        ? named.filter((n) => computeNames.has(n))
        : ofInfrastructure(compute, policy.infrastructure),
      storageServices: named.length
        ? named.filter((n) => storageNames.has(n))
        : ofInfrastructure(storage, policy.infrastructure),
      interactive: policy.interactive === true,
      unattendedWorkflows: policy.unattendedWorkflows === true,
    }
  })
}

export async function syncAccessPolicies(
  ctx: Context,
  engine: PolicyEngine,
  by: string,
): Promise<AccessSyncResult> {
  const result: AccessSyncResult = { compiled: [], skipped: [] }
  const changed: Array<{ name: string; body: string; description: string }> = []
  // Unchanged policies keep their version; only changes make new ones.
  const current = new Map((await listPolicies(ctx)).map((p) => [p.name, p.body]))
  for (const input of await accessPolicyInputs(ctx)) {
    const compiled = compileAccessPolicy(input)
    if (compiled.length === 0) {
      result.skipped.push({
        accessPolicy: input.name,
        reason: input.communities.length === 0 ? 'no eligible community or VO' : 'no services',
      })
      continue
    }
    for (const policy of compiled) {
      if (current.get(policy.name) === policy.body) continue
      changed.push({ ...policy, description: `Compiled from access policy ${input.name}` })
    }
    result.compiled.push({ accessPolicy: input.name, policies: compiled.map((p) => p.name) })
  }
  await addPolicies(ctx, engine, changed, by, 'access-policy')
  return result
}
