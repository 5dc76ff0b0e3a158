/**
 * The official suite's nested-workflow tests (tag `subworkflow`, read from ../shared/cwl-v1.2)
 * through the engine: bundled as `continuum workflow run` bundles them, flattened into tasks,
 * run, and their output objects compared as the suite compares them. Both backends.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { cwlBundle } from '../src/cli/cwl-bundle.js'
import type { ContinuumClient } from '../src/client/index.js'
import { systemClock } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { compare, loadSuite, suiteRoot } from './support/cwl-suite.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite, runUntilFinished } from './support/workflows.js'

const root = suiteRoot()
const skip = root ? false : 'the CWL v1.2 conformance suite is not at ../shared/cwl-v1.2'
if (skip && process.env.CI === 'true') throw new Error(`${skip} (CI=true: must run)`)
const tests = root ? loadSuite(root).filter((t) => t.tags.includes('subworkflow')) : []

describeEachBackend('the CWL suite’s nested workflows on the engine', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  before(async () => {
    server = await startTestServer(fixture().database)
    client = server.client
    await makeLocalSite(fixture().ctx)
  })
  after(() => server.close())

  it('finds the suite’s 17 nested-workflow tests', { skip }, () => assert.equal(tests.length, 17))
  for (const t of tests) {
    it(`${t.id}: ${t.doc}`, async () => {
      const bundle = cwlBundle(t.tool, t.job)
      let id: string
      try {
        id = (
          await client.workflows.submit({
            source: bundle.source,
            filename: bundle.filename,
            files: bundle.files,
            cwlJob: bundle.job,
            noCache: true,
          })
        ).id
      } catch (err) {
        assert.ok(t.shouldFail, `refused: ${(err as Error).message}`)
        return
      }
      const ctx = { ...fixture().ctx, clock: systemClock }
      const end = await runUntilFinished(ctx, [new WorkflowEngine(ctx, { workerId: 's' })], id)
      if (t.shouldFail) {
        assert.equal(end.state, 'failed')
        return
      }
      const tasks = (await client.workflows.tasks(id, { limit: 500 })).items
      const why = tasks.filter((x) => x.state !== 'done').map((x) => `${x.name}: ${x.reason}`)
      assert.equal(end.state, 'succeeded', why.join('\n'))
      const { output } = await client.workflows.cwlOutput(id)
      const mismatch = compare(t.output ?? {}, output, 'output')
      assert.equal(mismatch, null)
    })
  }
})
