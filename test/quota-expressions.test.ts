/**
 * A quota on an endpoint expression (`continuum data quota set lofar 'country=DE' …`) bounds
 * what an owner locks on all the endpoints the expression covers, together: a rule that would
 * go over it is refused with the reason on whichever covered endpoint it lands, and leaves
 * nothing behind; endpoints the expression does not cover are not bound by it. Over HTTP, both
 * backends.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { addCommunity, addInfrastructure, addRecord } from '../src/catalog/index.js'
import type { ContinuumClient } from '../src/client/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { uniqueName } from './support/factories.js'
import { randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { runCli } from './support/cli.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'

describeEachBackend('quotas on endpoint expressions', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let storage: TempStorage
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    client = server.client
    storage = tempStorage()
  })
  after(async () => {
    await server.close()
    storage.cleanup()
  })

  it('blocks a rule on any endpoint it covers once the covered total would pass it', async () => {
    // A tag per run keeps the expression to this test's endpoints.
    const tag = `Q${Math.random().toString(36).slice(2, 9)}`
    const [de1, de2, nl] = [
      await storage.add(fixture().ctx, { country: 'DE', [tag]: true }),
      await storage.add(fixture().ctx, { country: 'DE', [tag]: true }),
      await storage.add(fixture().ctx, { country: 'NL', [tag]: true }),
    ]
    const scope = uniqueScope()
    await client.data.addScope({ name: scope })
    for (const name of ['a', 'b', 'c']) {
      const data = randomData(40_000)
      await client.data.upload({ scope, name }, new Uint8Array(data), {
        to: nl.name,
        bytes: data.length,
      })
    }
    const expression = `${tag}&country=DE`
    const set = await client.data.setQuota({ owner: 'lofar', expression, bytes: 100_000 })
    assert.deepEqual([...(set.endpoints ?? [])].sort(), [de1.name, de2.name].sort())
    assert.equal(set.usedBytes, 0)

    // 40 kB on de1: within the 100 kB the expression allows.
    await client.data.addRule({
      scope,
      name: 'a',
      copies: 1,
      expression: de1.name,
      account: 'lofar',
    })
    // 40 kB more on de2 — an endpoint with nothing of lofar's yet — still within.
    await client.data.addRule({
      scope,
      name: 'b',
      copies: 1,
      expression: de2.name,
      account: 'lofar',
    })
    const rulesOfC = (await client.data.listRules({ scope, name: 'c' })).length
    // A third 40 kB on either DE endpoint would make 120 kB: refused, naming the expression.
    for (const target of [de1.name, de2.name, `${tag}&country=DE`]) {
      const err = await rejectsWith(
        client.data.addRule({ scope, name: 'c', copies: 1, expression: target, account: 'lofar' }),
        'QUOTA_EXCEEDED',
        `the endpoints '${expression}' covers`,
      )
      assert.deepEqual(
        [err.details.quotaBytes, err.details.usedBytes, err.details.neededBytes],
        [100_000, 80_000, 40_000],
      )
    }
    assert.equal(
      (await client.data.listRules({ scope, name: 'c' })).length,
      rulesOfC,
      'nothing created',
    )
    // The NL endpoint is not covered; another owner is not bound by lofar's quota.
    await client.data.addRule({
      scope,
      name: 'c',
      copies: 1,
      expression: nl.name,
      account: 'lofar',
    })
    await client.data.addRule({
      scope,
      name: 'c',
      copies: 1,
      expression: de1.name,
      account: 'cms',
    })

    const listed = (await client.data.listQuotas('lofar')).find((q) => q.expression === expression)
    assert.equal(listed?.usedBytes, 80_000)
    assert.equal(listed?.bytes, 100_000)
  })

  it('holds a community to the TB its storage allocation grants on the services it covers', async () => {
    const { ctx } = fixture()
    const infra = uniqueName('infra')
    const community = uniqueName('lofar')
    await addInfrastructure(ctx, {
      name: infra,
      title: infra,
      kind: 'Data',
      operator: 'Test',
      country: 'NL',
      url: 'https://example.org',
    })
    await addCommunity(ctx, { name: community, title: community, field: 'Radio astronomy' })
    const site = uniqueName('site')
    await addRecord(ctx, 'site', { name: site, title: site, infrastructure: infra, country: 'NL' })
    const service = uniqueName('disk')
    await addRecord(ctx, 'storageService', {
      name: service,
      title: service,
      infrastructure: infra,
      site,
      media: 'disk',
      protocols: ['posix'],
    })
    // 100 kB, in TB; one endpoint bound to the service, one only at its site.
    const allocation = uniqueName('alloc')
    await addRecord(ctx, 'allocation', {
      name: allocation,
      community,
      services: `infra=${infra}`,
      amount: 1,
      unit: 'core-hours',
      grants: [{ unit: 'tb', amount: 100_000 / 1e12 }],
    })
    const bound = await storage.add(ctx, { storageService: service, site })
    const atSite = await storage.add(ctx, { site })
    const elsewhere = await storage.add(ctx, { site: uniqueName('elsewhere') })
    const scope = uniqueScope()
    await client.data.addScope({ name: scope })
    for (const name of ['a', 'b', 'c']) {
      const data = randomData(40_000)
      await client.data.upload({ scope, name }, new Uint8Array(data), {
        to: elsewhere.name,
        bytes: data.length,
      })
    }
    const rule = (name: string, expression: string) =>
      client.data.addRule({ scope, name, copies: 1, expression, account: community })
    await rule('a', bound.name)
    await rule('b', atSite.name)
    await rejectsWith(rule('c', bound.name), 'QUOTA_EXCEEDED', /storage allocation .* grants/)
    await rule('c', elsewhere.name)

    // The CLI: a quota on an expression, and the allocation's use (table, one, JSON).
    const env = {
      CONTINUUM_SERVER: server.url,
      CONTINUUM_TOKEN: await server.mintToken({ sub: 'cli-admin', groups: [adminGroup] }),
      CONTINUUM_HOME: mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-')),
    }
    const set = await runCli(['data', 'quota', 'set', community, `site=${site}`, '1000000'], env)
    assert.equal(set.code, 0, set.stderr)
    assert.match(set.stdout, new RegExp(`quota of ${community} on site=${site} \\(.*${bound.name}`))
    const bad = await runCli(['data', 'quota', 'set', community, 'site=(', '1'], env)
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /EXPRESSION_INVALID/)
    const table = await runCli(['usage', '--allocation', '--community', community], env)
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, new RegExp(`${allocation}.*infra=${infra} \\[1\\]`))
    const one = await runCli(['usage', '--allocation', allocation], env)
    assert.match(one.stdout, /used: +0\/1 core-hours \(0%\); 8\.00e-8\/1\.00e-7 tb \(80%\)/)
    const json = await runCli(['usage', '--allocation', allocation, '--json'], env)
    const [use] = JSON.parse(json.stdout) as Array<{
      grants: Array<{ unit: string; used: number }>
    }>
    assert.equal(use?.grants.find((g) => g.unit === 'tb')?.used, 80_000 / 1e12)
  })

  it('refuses a malformed quota and changes nothing', async () => {
    const before = await client.data.listQuotas('lofar')
    await rejectsWith(
      client.data.setQuota({ owner: 'lofar', expression: 'country=(', bytes: 1 }),
      'EXPRESSION_INVALID',
    )
    await rejectsWith(
      client.data.setQuota({ owner: 'lofar', expression: 'country=DE', endpoint: 'X', bytes: 1 }),
      'VALIDATION_FAILED',
      'exactly one',
    )
    await rejectsWith(client.data.setQuota({ owner: 'lofar', bytes: 1 }), 'VALIDATION_FAILED')
    await rejectsWith(
      client.data.setQuota({ owner: 'lofar', expression: 'country=DE', bytes: -1 }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.data.setQuota({ owner: 'lofar', expression: 'x'.repeat(1001), bytes: 1 }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      client.data.setQuota({ owner: 'lofar', expression: 'country=DE', bytes: '5TB' } as never),
      'VALIDATION_FAILED',
    )
    assert.deepEqual(await client.data.listQuotas('lofar'), before)
  })
})
