/**
 * A workflow through a real ARC CE (A-REX 6.17, test CA, fork back end): the catalogue compute
 * service is bound to the CE after the CE answered with the binding's credentials, the task is
 * placed there by the broker under the community's access policy, the CE stages the input itself
 * from the federation's WebDAV endpoint (nginx) near the site, and the output comes back and is
 * uploaded, checksummed and registered with the workflow's rule. Both backends.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { addCommunity, addInfrastructure, addRecord } from '../src/catalog/index.js'
import { addEndpoint, addScope, listReplicas } from '../src/data/index.js'
import type { Context } from '../src/db/index.js'
import { PolicyEngine, syncAccessPolicies } from '../src/policy/index.js'
import { ProtocolRegistry, uploadFile } from '../src/transfers/index.js'
import {
  addSite,
  explainTask,
  FederationStaging,
  getWorkflow,
  submitWorkflow,
  usageReport,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { arcSkipReason, startArcCe, type ArcCe } from './support/arc-ce.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { uniqueName } from './support/factories.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { bytesOf } from './support/posix-endpoints.js'
import { tempDir } from './support/workflows.js'

const skip = arcSkipReason() || nginxSkipReason()
let ce: ArcCe | undefined
let dav: NginxWebdav | undefined

before(async () => {
  if (skip) return
  ;[ce, dav] = await Promise.all([startArcCe(), startNginxWebdav()])
})
after(async () => {
  ce?.stop()
  await dav?.stop()
})

const title = 'a workflow through a real ARC CE'
if (skip) {
  describe(title, { skip }, () => {})
} else {
  describeEachBackend(title, (fixture) => {
    const names = {
      infra: uniqueName('ndgf'),
      site: uniqueName('t1'),
      svc: uniqueName('arc-ce'),
      community: uniqueName('atlas'),
    }
    const scope = uniqueScope('arc')
    let engine: WorkflowEngine
    let endpoint: string

    before(async () => {
      const { ctx } = fixture()
      await addInfrastructure(ctx, {
        name: names.infra,
        title: 'Nordic grid',
        kind: 'HTC',
        operator: 'Test',
        country: 'NO',
        url: 'https://example.org',
      })
      await addCommunity(ctx, { name: names.community, title: 'ATLAS', field: 'Physics' })
      await addRecord(ctx, 'site', {
        name: names.site,
        title: 'Tier-1',
        infrastructure: names.infra,
        country: 'NO',
      })
      await addRecord(ctx, 'computeService', {
        name: names.svc,
        title: 'ARC CE',
        infrastructure: names.infra,
        site: names.site,
        batchSystem: 'local',
        cores: 2,
        memoryPerCoreGB: 1,
      })
      await addRecord(ctx, 'accessPolicy', {
        name: uniqueName('ap'),
        title: 'Grid access',
        infrastructure: names.infra,
        route: 'community-membership',
        services: [names.svc],
        eligibility: {
          anyEuropeanResearcher: false,
          communities: [names.community],
          vos: [],
          groups: [],
          countries: [],
        },
        unattendedWorkflows: true,
      })
      const policy = new PolicyEngine(ctx, () => [])
      await syncAccessPolicies(ctx, policy, 'test')
      const web = await addEndpoint(ctx, {
        name: uniqueName('DAV').toUpperCase().replace(/-/g, '_'),
        attributes: { site: names.site, type: 'disk' },
        protocols: [
          {
            scheme: 'http',
            url: `${(dav as NginxWebdav).url}/${scope}`,
            read: 1,
            write: 1,
            delete: 1,
          },
        ],
      })
      endpoint = web.name
      await addScope(ctx, { name: scope })
      await uploadFile(
        ctx,
        new ProtocolRegistry(),
        { scope, name: 'events.txt', to: endpoint },
        bytesOf(Buffer.from('muon\nelectron\n')),
      )
      const c = ce as ArcCe
      await addSite(
        ctx,
        {
          service: names.svc,
          executor: 'arc',
          endpoint: c.url,
          caFile: c.caFile,
          certFile: c.certFile,
          keyFile: c.keyFile,
          nearEndpoints: [endpoint],
        },
        { sitesRoot: tempDir('continuum-sites-') },
      )
      engine = new WorkflowEngine(ctx, {
        workerId: uniqueName('arc-worker'),
        leaseMs: 60_000,
        policy,
        staging: new FederationStaging(ctx),
      })
    })

    async function run(ctx: Context, id: string) {
      const deadline = Date.now() + 300_000
      for (;;) {
        const handled = await engine.runOnce()
        const wf = await getWorkflow(ctx, id)
        if (['succeeded', 'failed', 'cancelled'].includes(wf.state)) return wf
        if (Date.now() > deadline) throw new Error(`workflow ${id} did not finish:\n${ce?.log()}`)
        if (handled === 0) await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }

    it('places the task on the CE, which stages the input itself, and registers the output', async () => {
      const { ctx } = fixture()
      const wf = await submitWorkflow(ctx, {
        workdir: tempDir(),
        source: `name: grid
community: ${names.community}
outputs: { scope: ${scope}, rule: ${endpoint} }
tasks:
  - name: upper
    inputs: ['did:${scope}:events.txt']
    outputs: ['did:${scope}:upper.txt']
    command: [sh, -c, 'tr a-z A-Z < events.txt > upper.txt']
`,
      })
      const done = await run(ctx, wf.id)
      assert.equal(done.state, 'succeeded', JSON.stringify(done))
      const explained = await explainTask(ctx, wf.id, 'upper')
      assert.equal(explained.task.site, names.svc)
      const [replica] = await listReplicas(ctx, { scope, name: 'upper.txt' })
      assert.equal(replica?.endpoint, endpoint)
      assert.equal(replica?.state, 'available')
      assert.match(replica?.adler32 ?? '', /^[0-9a-f]{8}$/)
      const url = replica?.urls.find((u) => u.startsWith('http')) as string
      const served = url.replace((dav as NginxWebdav).url, (dav as NginxWebdav).root)
      assert.equal(readFileSync(served, 'utf8'), 'MUON\nELECTRON\n')
      const usage = await usageReport(ctx, { groupBy: 'site', site: names.svc })
      assert.equal(usage.rows.find((r) => r.key === names.svc)?.tasks, 1, 'accounted to the CE')
    })

    it('refuses to bind a CE with unusable or missing credentials, and stores nothing', async () => {
      const { ctx } = fixture()
      const c = ce as ArcCe
      await rejectsWith(
        addSite(
          ctx,
          {
            service: names.svc,
            name: uniqueName('arc-bad'),
            executor: 'arc',
            endpoint: c.url,
            caFile: c.caFile,
            // The CA's certificate with the user's key: not a pair.
            certFile: c.caFile,
            keyFile: c.keyFile,
          },
          { sitesRoot: tempDir('continuum-sites-') },
        ),
        'CONFIG_INVALID',
      )
      await rejectsWith(
        addSite(
          ctx,
          {
            service: names.svc,
            name: uniqueName('arc-missing'),
            executor: 'arc',
            endpoint: c.url,
            certFile: '/nonexistent/cert.pem',
            keyFile: c.keyFile,
          },
          { sitesRoot: tempDir('continuum-sites-') },
        ),
        'CONFIG_INVALID',
      )
      await rejectsWith(
        addSite(
          ctx,
          { service: names.svc, name: uniqueName('arc-nocred'), executor: 'arc', endpoint: c.url },
          { sitesRoot: tempDir('continuum-sites-') },
        ),
        'VALIDATION_FAILED',
      )
      const { listSites } = await import('../src/workflows/index.js')
      assert.deepEqual(
        (await listSites(ctx)).filter((x) => x.executor === 'arc').map((x) => x.name),
        [names.svc],
        'only the good binding is stored',
      )
    })
  })
}
