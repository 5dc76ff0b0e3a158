/**
 * The landscape's access policies, compiled to Cedar and stored, decide who may use which
 * service: the Plan face's "who may use what" is enforced by the Run face.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { loadShippedLandscape } from '../src/landscape/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('access policies of the landscape enforced', (fixture) => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    assert.ok(await loadShippedLandscape(fixture().ctx), 'the shipped landscape loads')
  })
  after(() => server.close())

  const submitTo = (service: string, groups: string[]) =>
    server.client.policy.test({
      principal: { subject: 'researcher', groups },
      action: 'workflows.workflow.create',
      resource: { type: 'ComputeService', id: service, attrs: { name: service } },
    })

  it('compiles every shipped access policy and stores each Cedar policy once', async () => {
    assert.equal(
      (await submitTo('cern-batch', ['/atlas'])).decision,
      'deny',
      'nothing granted before the sync',
    )
    const first = await server.client.policy.syncAccess()
    assert.ok(first.compiled.length >= 20, `compiled ${first.compiled.length}`)
    const pledge = first.compiled.find((c) => c.accessPolicy === 'cern-t0-wlcg-pledge')
    assert.deepEqual(pledge?.policies.sort(), [
      'access.cern-t0-wlcg-pledge.compute',
      'access.cern-t0-wlcg-pledge.storage',
    ])
    const stored = await server.client.policy.list()
    assert.ok(
      stored.some(
        (p) => p.name === 'access.cern-t0-wlcg-pledge.compute' && p.source === 'access-policy',
      ),
    )

    const versions = new Map(stored.map((p) => [p.name, p.version]))
    await server.client.policy.syncAccess()
    const again = await server.client.policy.list()
    for (const p of again) {
      assert.equal(p.version, versions.get(p.name), `${p.name} unchanged, same version`)
    }
  })

  it("answers for the broker's action, workflows.task.submit, as the broker asks it", async () => {
    await server.client.policy.syncAccess()
    const ask = (groups: string[]) =>
      server.client.policy.test({
        principal: { subject: 'researcher', groups },
        action: 'workflows.task.submit',
        resource: { type: 'ComputeService', id: 'cern-batch', attrs: { name: 'cern-batch' } },
        context: { unattended: true },
      })
    assert.equal((await ask(['/atlas'])).decision, 'allow')
    assert.equal((await ask(['/no-such-community'])).decision, 'deny')
    const { actions } = await server.client.policy.schema()
    assert.ok(actions.includes('workflows.task.submit'), "listed with the routes' actions")
  })

  it('lets eligible communities use the services a policy covers, and no one else', async () => {
    await server.client.policy.syncAccess()
    const allowed = await submitTo('cern-batch', ['/atlas'])
    assert.equal(allowed.decision, 'allow')
    assert.ok(
      allowed.policies.includes('access.cern-t0-wlcg-pledge.compute'),
      JSON.stringify(allowed),
    )
    assert.equal((await submitTo('cern-batch', ['/cms/production'])).decision, 'allow')
    assert.equal(
      (await submitTo('cern-batch', ['/lofar'])).decision,
      'deny',
      'LOFAR is not in the WLCG pledge',
    )
    assert.equal((await submitTo('cern-batch', [])).decision, 'deny', 'no community, no access')
  })
})
