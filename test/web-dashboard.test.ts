/**
 * The dashboard end to end, as a newcomer meets it: `continuum demo` (embedded PGlite, the
 * shipped landscape, agents running) serves the page at `/`; Debian's Chromium logs in with the
 * device flow, opens every view, checks the landscape's numbers against the API, follows a
 * replication rule to `ok`, runs the example workflow and watches its graph finish. A
 * screenshot of each view goes to test-output/screenshots/.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { ContinuumClient } from '../src/client/index.js'
import { browserSkip, ensureDashboardBuilt, launchBrowser, screenshot } from './support/browser.js'
import { formatNumber } from '../web/src/format.js'
import { loginAsDemoUser, startDemo, type DemoProcess } from './support/demo-process.js'

const skip =
  process.env.DB_BACKEND === 'postgres'
    ? 'the browser tests run on the demo, whose database is embedded PGlite'
    : browserSkip()

async function countAll<T>(
  list: (q: { limit: number; cursor?: string }) => Promise<{ items: T[]; next: string | null }>,
): Promise<number> {
  let n = 0
  let cursor: string | undefined
  do {
    const page = await list(cursor ? { limit: 500, cursor } : { limit: 500 })
    n += page.items.length
    cursor = page.next ?? undefined
  } while (cursor)
  return n
}

async function text(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId)
  await locator.waitFor({ timeout: 20_000 })
  return ((await locator.textContent()) ?? '').trim()
}

async function openView(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name, exact: true })
    .click()
}

describe('web dashboard', { skip }, () => {
  let demo: DemoProcess | undefined
  let browser: Browser | undefined
  let page: Page
  let api: ContinuumClient
  const errors: string[] = []

  before(async () => {
    ensureDashboardBuilt()
    // The demo's Slurm site is covered by test/plan-run.test.ts; here the example runs on `local`.
    demo = await startDemo(mkdtempSync(path.join(os.tmpdir(), 'continuum-web-')), {
      CONTINUUM_DEMO_SLURM: 'off',
    })
    api = await loginAsDemoUser(demo.url)
    browser = await launchBrowser()
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    context.setDefaultTimeout(30_000)
    page = await context.newPage()
    page.on('pageerror', (err) => errors.push(err.message))
  })

  after(async () => {
    await browser?.close()
    if (demo) assert.equal(await demo.stop(), 0)
  })

  it(
    'serves the page publicly with a strict content security policy',
    { timeout: 60_000 },
    async () => {
      const url = demo?.url ?? ''
      const res = await fetch(`${url}/`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/)
      const html = await res.text()
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
      assert.ok(asset, 'the page names its script')
      const js = await fetch(`${url}${asset}`)
      assert.equal(js.status, 200)
      assert.match(js.headers.get('cache-control') ?? '', /immutable/)
      assert.equal(js.headers.get('content-encoding'), 'gzip', 'fetch asks for gzip')
      assert.match(await js.text(), /createRoot|React/)
      assert.equal((await fetch(`${url}/assets/nope.js`)).status, 404)
      assert.equal((await fetch(`${url}/assets/..%2Fpackage.json`)).status, 400)
    },
  )

  it('logs in with the built-in issuer’s device flow', { timeout: 90_000 }, async () => {
    await page.goto(demo?.url ?? '')
    await screenshot(page, '0-login')
    await page.getByRole('button', { name: 'Log in' }).click()
    const code = await text(page, 'user-code')
    assert.match(code, /\w/)
    const [approval] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('link', { name: 'Open the approval page' }).click(),
    ])
    await approval.waitForLoadState()
    await approval.locator('select[name=user]').selectOption('admin')
    await approval.getByRole('button', { name: 'Approve' }).click()
    // The approval tab stays open (closed with the browser): closing a page has no time limit.
    assert.equal(await text(page, 'whoami'), 'admin')
  })

  it(
    'shows the shipped landscape with the numbers the API gives',
    { timeout: 60_000 },
    async () => {
      await page.goto(`${demo?.url}/#/landscape`)
      const infrastructures = await countAll((q) => api.catalog.listInfrastructures(q))
      const policies = await countAll((q) => api.landscape.accessPolicies.list(q))
      const compute = await countAll((q) => api.landscape.computeServices.list(q))
      assert.ok(infrastructures > 10, 'the shipped landscape is loaded')
      assert.equal(await text(page, 'infra-count'), String(infrastructures))
      assert.equal(await text(page, 'policy-count'), String(policies))
      assert.equal(await text(page, 'compute-count'), String(compute))
      const rows = await page.getByTestId('infra-table').locator('tbody tr').count()
      assert.equal(rows, infrastructures)
      // Picking a country on the map narrows the table to it.
      await page.getByRole('button', { name: /^DE: \d+ infrastructure/ }).click()
      const de = (await api.catalog.listInfrastructures({ country: 'DE', limit: 500 })).items.length
      assert.equal(await page.getByTestId('infra-table').locator('tbody tr').count(), de)
      await page.getByRole('button', { name: 'Show all countries' }).click()
      await screenshot(page, '1-landscape')
      await screenshot(page, 'readme-dashboard', { fullPage: false })
    },
  )

  it(
    'shows communities, working groups, survey results and the knowledge hub',
    { timeout: 60_000 },
    async () => {
      await openView(page, 'Communities')
      const groups = await api.practice.groups()
      const results = await api.practice.results('requirements-survey-demo')
      assert.ok(results.responses >= 4, 'the demo ships a survey with responses')
      assert.equal(await text(page, 'group-count'), String(groups.length))
      assert.equal(await text(page, 'survey-responses'), String(results.responses))
      assert.equal(await page.getByTestId('working-group').count(), groups.length)
      await page.getByLabel(/^Search documents/).fill('multi-year')
      await page.getByRole('button', { name: 'Search', exact: true }).click()
      const hits = page.getByTestId('hub-hits').locator('li')
      await hits.first().waitFor()
      assert.equal(await hits.count(), (await api.practice.search('multi-year')).length)
      await screenshot(page, '2b-communities')
    },
  )

  it(
    'shows the fit heat-map with reasons, the gaps and the ranked actions',
    { timeout: 60_000 },
    async () => {
      await openView(page, 'Fit and gaps')
      const useCases = await countAll((q) => api.landscape.useCases.list(q))
      const gaps = await api.landscape.gaps()
      assert.equal(await text(page, 'usecase-count'), String(useCases))
      assert.equal(await text(page, 'gap-count'), String(gaps.crossCutting.length))
      const rows = page.getByTestId('heatmap').locator('tbody tr')
      assert.equal(await rows.count(), useCases)
      await rows.first().locator('button.heat').first().click()
      const reasons = page.getByTestId('fit-reasons')
      await reasons.locator('.reason-list li').first().waitFor()
      assert.equal(
        await page.getByTestId('actions').locator('li').count(),
        gaps.actions.length,
        'every recommended action is listed',
      )
      await screenshot(page, '2-fit-and-gaps')
    },
  )

  it(
    'follows a replication rule until its file is on the chosen endpoint',
    { timeout: 120_000 },
    async () => {
      await api.data.addScope({ name: 'web' })
      const body = new TextEncoder().encode('dashboard test data\n'.repeat(1000))
      await api.data.upload({ scope: 'web', name: 'sample.txt' }, body, {
        to: 'SURF_LOFAR',
        bytes: body.byteLength,
      })
      const rule = await api.data.addRule({
        scope: 'web',
        name: 'sample.txt',
        copies: 1,
        expression: 'KIT_DATADISK',
      })
      await openView(page, 'Data')
      const row = page.locator(`tr[data-rule="${rule.id}"]`)
      await row.getByTestId('rule-state').getByText('ok').waitFor({ timeout: 60_000 })
      await row.getByRole('button').click()
      await page.getByTestId('lock-table').getByText('KIT_DATADISK').waitFor()
      await page.getByLabel('Scope').selectOption('web')
      await page
        .getByTestId('did-table')
        .getByRole('button', { name: 'sample.txt', exact: true })
        .click()
      const replicas = page.getByTestId('replica-table').locator('tbody tr')
      await page.getByTestId('replica-table').getByText('KIT_DATADISK').waitFor()
      assert.equal(await replicas.count(), 2, 'the upload and the rule’s copy')
      await screenshot(page, '3-data')
    },
  )

  it('shows the transfers the rule made', { timeout: 60_000 }, async () => {
    await openView(page, 'Transfers')
    const done = (await api.data.listTransfers({ state: 'done' })).length
    assert.ok(done >= 1)
    assert.equal(await text(page, 'transfers-done'), String(done))
    await page.getByTestId('link-table').getByText('KIT_DATADISK').waitFor()
    await screenshot(page, '4-transfers')
  })

  it('runs the example workflow and watches its graph finish', { timeout: 180_000 }, async () => {
    await openView(page, 'Workflows')
    // Records every state the graph shows, to prove it updates while the workflow runs.
    await page.evaluate(() => {
      const seen = new Set<string>()
      Object.assign(window, { seenStates: seen })
      new MutationObserver(() => {
        for (const n of Array.from(document.querySelectorAll('g.dag-node'))) {
          seen.add(`${n.getAttribute('data-task')}=${n.getAttribute('data-state')}`)
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await page.getByRole('button', { name: /Run the example/ }).click()
    const detail = page.getByTestId('workflow-detail')
    await detail.getByRole('heading', { name: 'Workflow hello' }).waitFor()
    await page.getByTestId('workflow-state').getByText('succeeded').waitFor({ timeout: 120_000 })
    const nodes = detail.locator('g.dag-node')
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('g.dag-node')).every(
          (n) => n.getAttribute('data-state') === 'done',
        ),
      undefined,
      { timeout: 20_000 },
    )
    assert.equal(await nodes.count(), 4, 'three greetings and the gathering')
    assert.equal(await detail.locator('path.dag-edge').count(), 3)
    const seen = await page.evaluate(() =>
      Array.from((window as unknown as { seenStates: Set<string> }).seenStates),
    )
    assert.ok(
      seen.some((s) => s.startsWith('gather=') && s !== 'gather=done'),
      `the graph showed gather before it was done (saw ${seen.join(', ')})`,
    )
    await detail.locator('g.dag-node[data-task="gather"]').click()
    const stdout = page.getByTestId('task-stdout')
    await stdout.getByText('3').waitFor()
    await page.getByTestId('placement').locator('li').first().waitFor()
    await screenshot(page, '5-workflows')
  })

  it('submits a workflow typed in the editor and cancels it', { timeout: 120_000 }, async () => {
    await page
      .getByLabel('…or edit it here')
      .fill('name: nap\ntasks:\n  - name: nap\n    command: [sleep, "60"]\n')
    await page.getByRole('button', { name: 'Submit workflow' }).click()
    const detail = page.getByTestId('workflow-detail')
    await detail.getByRole('heading', { name: 'Workflow nap' }).waitFor()
    await detail.locator('g.dag-node[data-task="nap"][data-state="running"]').waitFor({
      timeout: 60_000,
    })
    await detail.getByRole('button', { name: 'Cancel' }).click()
    await page.getByTestId('workflow-state').getByText('cancelled').waitFor()
    const [latest] = (await api.workflows.list({ limit: 1 })).items
    assert.equal(latest?.name, 'nap')
    assert.equal(latest.state, 'cancelled')
    assert.equal(await detail.getByRole('button', { name: 'Retry failed' }).isEnabled(), true)
  })

  it('shows usage and allocations', { timeout: 60_000 }, async () => {
    await openView(page, 'Usage')
    const allocations = await countAll((q) => api.landscape.allocations.list(q))
    assert.equal(await text(page, 'allocation-count'), String(allocations))
    // Energy is computed from cores, watts per core and wall time, never measured: every
    // place the view names it says so.
    const energy = (await page.locator('#main').innerText()).match(/^.*energy.*$/gim) ?? []
    assert.ok(energy.length > 0)
    for (const label of energy) assert.match(label, /est\.|estimate/i, label)
    // Each allocation of the user's communities is plotted against its period, examples marked.
    const mine = await api.workflows.allocationUsage()
    assert.ok(mine.some((a) => a.name === 'demo-cluster-lofar' && a.example))
    const burnDowns = page.getByTestId('allocation-burn-down')
    await burnDowns.first().waitFor()
    assert.equal(await burnDowns.count(), mine.length)
    const cluster = burnDowns.filter({ hasText: 'demo-cluster-lofar' })
    assert.match((await cluster.innerText()) ?? '', /\(example\)[\s\S]*core-hours/i)
    assert.equal((await cluster.locator('canvas').count()) > 0, true, 'a chart is drawn')
    await screenshot(page, '6-usage')
  })

  it(
    'simulates a shipped what-if scenario and names its outcome',
    { timeout: 90_000 },
    async () => {
      await openView(page, 'What-if')
      await page.getByLabel('Shipped scenario').selectOption('srcnet-v0.1-data-challenge')
      await page.getByRole('button', { name: 'Simulate' }).click()
      const report = await api.plan.simulate({ name: 'srcnet-v0.1-data-challenge' })
      assert.equal(await text(page, 'sim-replicated'), formatNumber(report.summary.replicatedTB))
      await page.getByTestId('sim-bottleneck').waitFor()
      await page.getByRole('button', { name: 'Download HTML report' }).waitFor()
      await screenshot(page, '7-what-if')
    },
  )

  it('logs out and forgets the token', { timeout: 60_000 }, async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('button', { name: 'Log in' }).waitFor()
    assert.equal(await page.evaluate(() => sessionStorage.getItem('continuum.token')), null)
    assert.deepEqual(errors, [], 'no script errors on any page')
  })
})
