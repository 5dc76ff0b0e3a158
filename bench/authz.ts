/**
 * Authorisation cost, side by side in one run:
 *   1. API throughput of the same routes with the gate on (token verification, Cedar decision,
 *      audit) and off; target: gated ≥ 70 % of ungated requests/s.
 *   2. Raw Cedar decisions per second against 1,000 stored policies, uncached and through the
 *      engine's decision cache; target ≥ 20,000/s.
 * Run: node --import tsx bench/authz.ts [seconds per run, default 3]
 */
import os from 'node:os'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import autocannon from 'autocannon'
import { buildServer } from '../src/api/index.js'
import { BuiltInIssuer } from '../src/auth/index.js'
import { connect, migrate, type Context } from '../src/db/index.js'
import { silentLogger, systemClock, version } from '../src/platform/index.js'
import {
  compileAccessPolicy,
  PolicyEngine,
  toStaticPolicies,
  type AuthzRequest,
  type PolicyText,
} from '../src/policy/index.js'

const seconds = Number(process.argv[2] ?? 3)

async function throughput(url: string, path: string, token: string | undefined): Promise<number> {
  const result = await autocannon({
    url: `${url}${path}`,
    connections: 10,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  return result.requests.average
}

async function apiBench(): Promise<Array<{ route: string; gated: number; ungated: number }>> {
  const database = await connect('memory:')
  await migrate(database)
  const ctx = { db: database.db, clock: systemClock }
  const issuer = await BuiltInIssuer.create({
    url: 'http://127.0.0.1',
    clock: systemClock,
    audience: 'continuum',
  })
  const gated = await buildServer({
    ctx,
    database,
    logger: silentLogger,
    version,
    security: { builtInIssuer: issuer },
  })
  const ungated = await buildServer({
    ctx,
    database,
    logger: silentLogger,
    version,
    security: { gate: false },
  })
  const gatedUrl = await gated.listen({ host: '127.0.0.1', port: 0 })
  gated.security.setIssuerUrl(gatedUrl)
  const ungatedUrl = await ungated.listen({ host: '127.0.0.1', port: 0 })
  const admin = await issuer.mint({ sub: 'bench-admin', groups: ['/continuum/admins'] })
  for (let i = 0; i < 20; i++) {
    await fetch(`${gatedUrl}/catalog/infrastructures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `infra-${i}`,
        title: `Infrastructure ${i}`,
        kind: 'HPC',
        operator: 'Bench',
        country: 'DE',
      }),
    })
  }
  const user = await issuer.mint({ sub: 'bench-user', groups: ['/atlas'] })
  const rows = []
  // Alternating rounds, median of each: the machine is shared, so load drifts during a run.
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  for (const route of ['/catalog/infrastructures/infra-7', '/catalog/infrastructures?limit=20']) {
    const u: number[] = []
    const g: number[] = []
    for (let round = 0; round < 3; round++) {
      if (round % 2 === 0) {
        u.push(await throughput(ungatedUrl, route, undefined))
        g.push(await throughput(gatedUrl, route, user))
      } else {
        g.push(await throughput(gatedUrl, route, user))
        u.push(await throughput(ungatedUrl, route, undefined))
      }
    }
    rows.push({ route, gated: median(g), ungated: median(u) })
  }
  await gated.close()
  await ungated.close()
  await database.close()
  return rows
}

function thousandPolicies(): PolicyText[] {
  const out: PolicyText[] = [
    { name: 'admins', body: 'permit (principal in Group::"/continuum/admins", action, resource);' },
    {
      name: 'authenticated-read',
      body: 'permit (principal, action in Action::"read", resource) unless { action in Action::"audit" || (resource has community && !principal.communities.contains(resource.community)) };',
    },
    {
      name: 'wlcg-capabilities',
      body: 'forbid (principal, action, resource) when { context.capabilityToken && !context.scopeGrants };\npermit (principal, action, resource) when { context.capabilityToken && context.scopeGrants };',
    },
  ]
  for (let i = 0; Object.keys(toStaticPolicies(out)).length < 1000; i++) {
    out.push(
      ...compileAccessPolicy({
        name: `site-${i}`,
        communities: [`vo${i % 50}`, `vo${(i + 7) % 50}`],
        accessRoute: 'bench',
        computeServices: [`ce-${i}`],
        storageServices: [`se-${i}`],
        interactive: i % 2 === 0,
        unattendedWorkflows: true,
      }),
    )
  }
  return out
}

/** The floor: Cedar's own cost of one call with a one-policy set and two bare entities. */
function cedarFloor(): number {
  cedar.preparsePolicySet('floor', {
    staticPolicies: { p: 'permit (principal, action, resource);' },
  })
  const call = {
    principal: { type: 'User', id: 'u' },
    action: { type: 'Action', id: 'a' },
    resource: { type: 'R', id: 'r' },
    context: {},
    preparsedPolicySetId: 'floor',
    entities: [],
  }
  let n = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    for (let k = 0; k < 200; k++) cedar.statefulIsAuthorized(call)
    n += 200
  }
  return (n / (performance.now() - start)) * 1000
}

function cedarBench(): { policies: number; uncached: number; cached: number; distinct: number } {
  const actions = [
    'workflows.task.create',
    'workflows.task.read',
    'data.file.read',
    'catalog.infrastructure.read',
    'audit.entry.list',
  ]
  const engine = new PolicyEngine({} as Context, () => actions)
  const policies = thousandPolicies()
  engine.load(policies)
  const requests: AuthzRequest[] = []
  for (let i = 0; i < 2000; i++) {
    const vo = `vo${i % 60}`
    requests.push({
      principal: {
        principal: `iss#u${i % 500}`,
        issuer: 'iss',
        subject: `u${i % 500}`,
        groups: [`/${vo}`],
        communities: [vo],
      },
      action: actions[i % actions.length] as string,
      resource: {
        type: i % 2 ? 'ComputeService' : 'StorageEndpoint',
        id: `${i % 2 ? 'ce' : 'se'}-${i % 400}`,
        attrs: { name: `${i % 2 ? 'ce' : 'se'}-${i % 400}` },
      },
      context: { capabilityToken: false, scopeGrants: false },
    })
  }
  const rate = (useCache: boolean, ms: number) => {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < ms) {
      for (let k = 0; k < 200; k++) {
        engine.decide(requests[(n + k) % requests.length] as AuthzRequest, { useCache })
      }
      n += 200
    }
    return (n / (performance.now() - start)) * 1000
  }
  rate(false, 1000) // warm up: the index prepares the per-scope sets once
  const uncached = rate(false, seconds * 1000)
  const cached = rate(true, seconds * 1000)
  return {
    policies: Object.keys(toStaticPolicies(policies)).length,
    uncached,
    cached,
    distinct: requests.length,
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(
  `authz bench — ${new Date().toISOString()} — ${os.cpus().length} × ${cpu}, Node ${process.version}, PGlite in memory`,
)
const api = await apiBench()
for (const r of api) {
  console.log(
    `API ${r.route.padEnd(36)} ungated ${r.ungated.toFixed(0).padStart(6)} req/s   gated ${r.gated.toFixed(0).padStart(6)} req/s   ratio ${((r.gated / r.ungated) * 100).toFixed(1)} % (target ≥ 70 %)`,
  )
}
const floor = cedarFloor()
const c = cedarBench()
console.log(`Cedar floor (1 policy, no entities): ${floor.toFixed(0)} decisions/s`)
console.log(
  `Cedar, ${c.policies} policies: uncached ${c.uncached.toFixed(0)} decisions/s (${((c.uncached / floor) * 100).toFixed(0)} % of the floor); with the decision cache (${c.distinct} distinct requests) ${c.cached.toFixed(0)} decisions/s (target ≥ 20,000/s)`,
)
