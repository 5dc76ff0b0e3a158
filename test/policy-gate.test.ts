/**
 * The gate over every route, stored policies that change real decisions, "would X be allowed",
 * the audit log's queries, and the landscape's access policies compiled to Cedar deciding real
 * requests.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { routeSchema } from '../src/api/route-schema.js'
import type { ContinuumClient } from '../src/client/index.js'
import {
  Type,
  type Policy,
  type PolicyDetail,
  type PolicyTestResult,
} from '../src/contract/index.js'
import { compileAccessPolicy } from '../src/policy/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { makeInfrastructure } from './support/factories.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('policy gate', (fixture) => {
  let server: TestServer
  let admin: ContinuumClient
  let atlas: ContinuumClient
  let cms: ContinuumClient
  before(async () => {
    server = await startTestServer(fixture().database, {
      // Reading the audit log flushes it: a long window keeps identical reads in one row however
      // slowly a loaded machine sends them, as a production window of seconds does.
      security: { auditFlushMs: 600_000 },
      routes: (app) => {
        const schema = routeSchema({
          operationId: 'testSubmit',
          tags: ['test'],
          summary: 'test',
          params: Type.Object({ service: Type.String() }),
          response: { 201: Type.Object({ ok: Type.Boolean() }) },
        })
        app.post<{ Params: { service: string } }>('/test-compute/:service/tasks', {
          config: {
            action: 'workflows.task.create',
            resource: (request) => ({
              type: 'ComputeService',
              id: (request.params as { service: string }).service,
              name: (request.params as { service: string }).service,
            }),
          },
          schema,
          handler: async (_request, reply) => reply.status(201).send({ ok: true }),
        })
      },
    })
    admin = server.client
    atlas = await server.clientAs({ sub: 'atlas-user', groups: ['/atlas'] })
    cms = await server.clientAs({ sub: 'cms-user', groups: ['/cms'] })
  })
  after(() => server.close())

  it('answers 401 without a token on every route of /openapi.json except the declared public ones', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    const publicRoutes = server.app.security.publicRoutes
    let gated = 0
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1')
        if (publicRoutes.has(`${method.toUpperCase()} ${fastifyPath}`)) continue
        const url = `${server.url}${path.replace(/\{\w+\}/g, 'x')}`
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json' },
          ...(method === 'get' || method === 'delete' ? {} : { body: '{}' }),
        })
        assert.equal(response.status, 401, `${method.toUpperCase()} ${path}`)
        gated++
      }
    }
    assert.ok(gated >= 15, `walked ${gated} gated routes`)
    for (const route of publicRoutes) {
      assert.match(
        route,
        / \/(|assets\/:file|healthz|readyz|metrics|openapi\.json|\.well-known\/openid-configuration|auth\/(jwks|token|device|device_authorization))$/,
        `unexpected public route ${route}`,
      )
    }
    const form = await fetch(`${server.url}/catalog/infrastructures`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await server.mintToken({ groups: ['/continuum/admins'] })}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=x',
    })
    assert.equal(form.status, 415, 'form bodies are for the OAuth endpoints only')
    const schema = await admin.policy.schema()
    for (const action of [
      'catalog.infrastructure.create',
      'policy.policy.create',
      'audit.entry.list',
      'workflows.task.create',
    ]) {
      assert.ok(schema.actions.includes(action), action)
    }
  })

  it('lets the starting policies decide: reads for everyone, audit and policies for admins only', async () => {
    assert.ok((await atlas.catalog.listInfrastructures()).items)
    await rejectsWith(atlas.catalog.addInfrastructure(makeInfrastructure()), 'POLICY_DENIED')
    await rejectsWith(atlas.audit.list(), 'POLICY_DENIED')
    await rejectsWith(atlas.policy.list(), 'POLICY_DENIED')
    const names = (await admin.policy.list()).map((p) => p.name)
    for (const name of ['admins', 'authenticated-read', 'community-write', 'wlcg-capabilities']) {
      assert.ok(names.includes(name), name)
    }
  })

  it('refuses policies that do not parse or do not validate, and stores nothing', async () => {
    const before = (await admin.policy.list()).length
    await rejectsWith(
      admin.policy.add({ name: 'broken', body: 'permit (principal, action, resource' }),
      'POLICY_INVALID',
    )
    await rejectsWith(
      admin.policy.add({
        name: 'broken',
        body: 'permit (principal, action == Action::"catalog.nothing.read", resource);',
      }),
      'POLICY_INVALID',
    )
    await rejectsWith(
      admin.policy.add({ name: 'broken', body: 'permit (principal is Robot, action, resource);' }),
      'POLICY_INVALID',
    )
    await rejectsWith(
      admin.policy.add({
        name: 'broken',
        body: 'permit (principal, action, resource) when { principal.salary > 3 };',
      }),
      'POLICY_INVALID',
    )
    await rejectsWith(
      admin.policy.add({ name: 'Bad Name', body: 'permit (principal, action, resource);' }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      admin.policy.add({ name: 'big', body: 'x'.repeat(70_000) }),
      'VALIDATION_FAILED',
    )
    assert.equal((await admin.policy.list()).length, before)
    await rejectsWith(admin.policy.show('broken'), 'POLICY_NOT_FOUND')
  })

  it('adds, versions and deletes a policy, and the gate follows at once', async () => {
    const body =
      'permit (principal in Community::"atlas", action == Action::"catalog.infrastructure.create", resource);'
    await rejectsWith(atlas.catalog.addInfrastructure(makeInfrastructure()), 'POLICY_DENIED')
    const v1: Policy = await admin.policy.add({
      name: 'atlas-adds-infra',
      body,
      description: 'ATLAS coordinators register sites',
    })
    assert.equal(v1.version, 1)
    assert.equal(v1.createdBy, `${server.url}#test-admin`)
    await atlas.catalog.addInfrastructure(makeInfrastructure())
    await rejectsWith(cms.catalog.addInfrastructure(makeInfrastructure()), 'POLICY_DENIED')
    const v2 = await admin.policy.add({
      name: 'atlas-adds-infra',
      body: body.replace('"atlas"', '"cms"'),
    })
    assert.equal(v2.version, 2)
    await cms.catalog.addInfrastructure(makeInfrastructure())
    await rejectsWith(atlas.catalog.addInfrastructure(makeInfrastructure()), 'POLICY_DENIED')
    const detail: PolicyDetail = await admin.policy.show('atlas-adds-infra')
    assert.deepEqual(
      detail.versions.map((v) => v.version),
      [2, 1],
    )
    await admin.policy.delete('atlas-adds-infra')
    await rejectsWith(cms.catalog.addInfrastructure(makeInfrastructure()), 'POLICY_DENIED')
    assert.equal((await admin.policy.show('atlas-adds-infra')).deleted, true, 'history is kept')
  })

  it('answers "would X be allowed to Y on Z, and why"', async () => {
    const allow: PolicyTestResult = await admin.policy.test({
      principal: { subject: 'someone', groups: ['/continuum/admins'] },
      action: 'policy.policy.create',
      resource: { type: 'Collection', id: 'policy.policy' },
    })
    assert.equal(allow.decision, 'allow')
    assert.deepEqual(allow.policies, ['admins'])
    const deny = await admin.policy.test({
      principal: { subject: 'r', scope: 'compute.read', groups: ['/continuum/admins'] },
      action: 'workflows.task.create',
      resource: { type: 'ComputeService', id: 'hpc-x' },
    })
    assert.equal(deny.decision, 'deny')
    assert.deepEqual(deny.policies, ['wlcg-capabilities'])
    assert.equal(deny.identity.capabilityToken, true)
    const draft = await admin.policy.test({
      principal: { subject: 'x', groups: ['/lofar'] },
      action: 'catalog.infrastructure.create',
      resource: { type: 'Collection', id: 'c' },
      policies: [
        { name: 'draft', body: 'permit (principal in Community::"lofar", action, resource);' },
      ],
    })
    assert.deepEqual([draft.decision, draft.policies], ['allow', ['draft']])
    await rejectsWith(
      admin.policy.test({
        principal: { subject: 'x' },
        action: 'nope.nope.read',
        resource: { type: 'Collection', id: 'c' },
      }),
      'VALIDATION_FAILED',
    )
  })

  it('enforces compiled access policies of the landscape on real requests', async () => {
    const compiled = compileAccessPolicy({
      name: 'hpc-a-atlas',
      communities: ['atlas'],
      accessRoute: 'community-allocation',
      computeServices: ['hpc-a'],
      storageServices: [],
      interactive: false,
      unattendedWorkflows: true,
    })
    for (const p of compiled) await admin.policy.add(p)
    const submit = (client: ContinuumClient, service: string) =>
      client.http.request('POST', `/test-compute/${service}/tasks`, { body: {} })
    assert.deepEqual(await submit(atlas, 'hpc-a'), { ok: true })
    await rejectsWith(submit(cms, 'hpc-a'), 'POLICY_DENIED')
    await rejectsWith(submit(atlas, 'hpc-b'), 'POLICY_DENIED')
    const interactive = await admin.policy.test({
      principal: { subject: 'a', groups: ['/atlas'] },
      action: 'workflows.task.create',
      resource: { type: 'ComputeService', id: 'hpc-a', attrs: { name: 'hpc-a' } },
      context: { interactive: true },
    })
    assert.equal(interactive.decision, 'deny', 'not interactive on this route')
  })

  it('keeps an append-only, queryable audit log of allowed and denied decisions', async () => {
    const page = await admin.audit.list({ principal: `${server.url}#atlas-user`, limit: 500 })
    assert.ok(
      page.items.some((e) => e.decision === 'allow' && e.action === 'catalog.infrastructure.list'),
    )
    const denied = page.items.find(
      (e) => e.decision === 'deny' && e.action === 'catalog.infrastructure.create',
    )
    assert.ok(denied)
    assert.equal(denied.resource, 'Collection::"catalog.infrastructure"')
    assert.ok(page.items.every((e) => e.principal === `${server.url}#atlas-user`))
    const allowed = await admin.audit.list({
      principal: `${server.url}#atlas-user`,
      action: 'catalog.infrastructure.create',
      decision: 'allow',
    })
    assert.ok(
      allowed.items.length >= 1 &&
        allowed.items.every(
          (e) => e.decision === 'allow' && e.policies.includes('atlas-adds-infra'),
        ),
    )
    const first = await admin.audit.list({ limit: 2 })
    assert.ok(first.next)
    const second = await admin.audit.list({ limit: 2, cursor: first.next })
    assert.ok(
      (second.items[0]?.id ?? 0) < (first.items[1]?.id ?? 0),
      'newest first, pages do not overlap',
    )
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      await rejectsWith(
        admin.http.request(method, '/audit', method === 'DELETE' ? {} : { body: {} }),
        'ROUTE_NOT_FOUND',
      )
    }
    await rejectsWith(admin.audit.list({ cursor: 'garbage' }), 'VALIDATION_FAILED')
  })

  it('counts identical allowed decisions into one audit row, and keeps every denial', async () => {
    const reader = await server.clientAs({ sub: 'audit-counter', groups: ['/atlas'] })
    const principal = `${server.url}#audit-counter`
    await admin.audit.list({ limit: 1 }) // flushes what came before
    for (let i = 0; i < 5; i++) await reader.catalog.listInfrastructures()
    for (let i = 0; i < 3; i++) {
      await rejectsWith(reader.audit.list({ limit: 1 }), 'POLICY_DENIED')
    }
    const page = await admin.audit.list({ principal, limit: 50 })
    const reads = page.items.filter((e) => e.action === 'catalog.infrastructure.list')
    assert.equal(
      reads.reduce((n, e) => n + e.count, 0),
      5,
      'every allowed read is counted',
    )
    assert.ok(reads.length < 5, `five identical reads take ${reads.length} rows`)
    const counted = reads.find((e) => e.count > 1)
    assert.ok(
      counted?.lastAt && counted.lastAt >= counted.at,
      'a counted row says when the last was',
    )
    const denials = page.items.filter((e) => e.decision === 'deny')
    assert.equal(denials.length, 3, 'each denial is its own row')
    assert.ok(denials.every((e) => e.count === 1 && e.lastAt === null))
    assert.equal(new Set(denials.map((e) => e.requestId)).size, 3, 'with its own request id')
  })
})
