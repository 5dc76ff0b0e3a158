/**
 * `image:` tasks through the whole Run face (issue 18): a site bound with an image store offers
 * a container runtime, the broker places image tasks only there, the task runs inside its image
 * (confined as every local job), and a task pinned to a site without a store is refused with
 * the reason. Both backends.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { addRecord } from '../src/catalog/index.js'
import type { ContinuumClient } from '../src/client/index.js'
import { PolicyEngine, syncAccessPolicies } from '../src/policy/index.js'
import { systemClock } from '../src/platform/index.js'
import { getWorkflow, WorkflowEngine } from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { makeCommunity, makeInfrastructure, uniqueName } from './support/factories.js'
import { buildImage, imageSkipReason } from './support/oci-image.js'
import { startTestServer, type TestServer } from './support/server.js'
import { tempDir } from './support/workflows.js'

const skip = imageSkipReason()

describeEachBackend('image tasks placed and run on sites with an image store', (fixture) => {
  let server: TestServer
  let admin: ContinuumClient
  let policy: PolicyEngine
  const infra = makeInfrastructure()
  const names = {
    site: uniqueName('campus'),
    boxes: uniqueName('boxes'),
    plain: uniqueName('plain'),
  }
  const store = mkdtempSync(path.join(os.tmpdir(), 'continuum-store-'))

  before(async () => {
    if (skip) return
    buildImage(store, 'analysis', '2.1', 'analysis image 2.1')
    server = await startTestServer(fixture().database)
    admin = server.client
    const ctx = fixture().ctx
    await admin.catalog.addInfrastructure(infra)
    await admin.catalog.addCommunity(makeCommunity({ name: 'lofar' }))
    await addRecord(ctx, 'site', {
      name: names.site,
      title: 'Campus',
      infrastructure: infra.name,
      country: 'NL',
    })
    for (const svc of [names.boxes, names.plain]) {
      await addRecord(ctx, 'computeService', {
        name: svc,
        title: svc,
        infrastructure: infra.name,
        site: names.site,
        batchSystem: 'local',
        cores: 2,
        memoryPerCoreGB: 1,
        // The catalogue's word is not enough: only the bound executor's store counts.
        containerRuntimes: ['apptainer'],
      })
    }
    await addRecord(ctx, 'accessPolicy', {
      name: uniqueName('ap'),
      title: 'Campus access',
      infrastructure: infra.name,
      route: 'community-membership',
      services: [names.boxes, names.plain],
      eligibility: {
        anyEuropeanResearcher: false,
        communities: ['lofar'],
        vos: [],
        groups: [],
        countries: [],
      },
      unattendedWorkflows: true,
    })
    policy = new PolicyEngine(ctx, () => [])
    await syncAccessPolicies(ctx, policy, 'test')
    const boxes = await admin.sites.add({
      service: names.boxes,
      executor: 'local',
      root: tempDir(),
      images: store,
    })
    assert.deepEqual(boxes.offers?.containerRuntimes, ['oci'])
    assert.equal(boxes.images, store)
    const plain = await admin.sites.add({
      service: names.plain,
      executor: 'local',
      root: tempDir(),
    })
    assert.deepEqual(plain.offers?.containerRuntimes, [])
  })
  after(() => server?.close())

  const ctx = () => ({ ...fixture().ctx, clock: systemClock })

  async function finish(id: string) {
    const engine = new WorkflowEngine(ctx(), { workerId: uniqueName('img'), policy })
    for (let i = 0; i < 3000; i++) {
      const handled = await engine.runOnce()
      const wf = await getWorkflow(ctx(), id)
      if (['succeeded', 'failed'].includes(wf.state)) return wf
      if (handled === 0) await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`workflow ${id} did not end`)
  }

  it('runs an image task inside its image, only where the image store is', { skip }, async () => {
    const wf = await admin.workflows.submit({
      source: [
        'name: in-image',
        'community: lofar',
        'tasks:',
        '  - name: inside',
        "    environment: { image: 'docker://registry.example.org/library/analysis:2.1' }",
        "    command: [sh, -c, 'cat /etc/image-release; test -e /usr/bin/node && echo HOST || true']",
      ].join('\n'),
    })
    const done = await finish(wf.id)
    const x = await admin.workflows.explain(wf.id, 'inside')
    assert.equal(done.state, 'succeeded', `${x.task.reason}: ${JSON.stringify(x.placement)}`)
    assert.equal(x.task.site, names.boxes)
    const refused = x.placement.find((p) => p.site === names.plain)
    assert.ok(refused && !refused.eligible)
    assert.match(refused.reasons.join(' '), /no container runtime for the image/)
    const logs = await admin.workflows.logs(wf.id, 'inside')
    assert.match(logs.stdout, /^analysis image 2\.1$/m)
    assert.doesNotMatch(logs.stdout, /HOST/)
  })

  it(
    'fails an image task pinned to a site without a store, and one whose image is missing, with the reason',
    { skip },
    async () => {
      const pinned = await admin.workflows.submit({
        source: `name: pinned\ncommunity: lofar\ntasks:\n  - name: t\n    site: ${names.plain}\n    environment: { image: 'analysis:2.1' }\n    command: ['true']\n`,
      })
      assert.equal((await finish(pinned.id)).state, 'failed')
      const x = await admin.workflows.explain(pinned.id, 't')
      assert.match(x.task.reason ?? '', /no container runtime for the image/)
      const missing = await admin.workflows.submit({
        source: `name: missing\ncommunity: lofar\ntasks:\n  - name: t\n    retries: 0\n    environment: { image: 'analysis:9.9' }\n    command: ['true']\n`,
      })
      assert.equal((await finish(missing.id)).state, 'failed')
      const y = await admin.workflows.explain(missing.id, 't')
      assert.match(y.task.reason ?? '', /image analysis:9\.9: tag 9\.9 is not in the image store/)
    },
  )
})
