/** The simulator: scenario errors, bottleneck naming, the scheduler's shares, shipped scenarios. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { stringify } from 'yaml'
import type { ContinuumError } from '../platform/index.js'
import {
  listScenarios,
  parseScenario,
  readShippedScenario,
  renderSimulationHtml,
  runSimulation,
  shippedScenarioNames,
  simulate,
} from './index.js'
import { shareSlots } from './transfers.js'
import { buildLinks } from './world.js'

/** A small valid scenario to vary. */
function base(): Record<string, unknown> {
  return {
    name: 'small',
    title: 'small',
    sources: [{ id: 'x', title: 'test', url: 'https://example.org/' }],
    days: 1,
    sites: [
      { name: 'a', diskTB: 100, cores: 100, attributes: { tier: 1 } },
      { name: 'b', diskTB: 100, cores: 100, attributes: { tier: 1 } },
    ],
    links: [{ from: 'a', to: 'b', gbps: 10 }],
    communities: [
      {
        name: 'c',
        ingest: [{ site: 'a', tbPerDay: 10, meanFileMB: 1000, datasetHours: 1 }],
        rules: [{ expression: 'tier=1', copies: 2 }],
      },
    ],
  }
}

function fails(text: string, code: string, field?: RegExp): ContinuumError {
  try {
    parseScenario(text)
  } catch (err) {
    const e = err as ContinuumError
    assert.equal(e.code, code, e.message)
    if (field) {
      const errors = (e.details as { errors: Array<{ field: string }> }).errors
      assert.ok(
        errors.some((x) => field.test(x.field)),
        JSON.stringify(errors),
      )
    }
    return e
  }
  assert.fail(`expected ${code}`)
}

describe('scenario validation', () => {
  it('accepts the small scenario', () => {
    assert.equal(parseScenario(stringify(base())).sites.length, 2)
  })
  it('reports bad YAML with its line', () => {
    fails('name: [unclosed\n', 'SCENARIO_INVALID', /scenario\.yaml:\d+:\d+/)
  })
  it('refuses negative figures, wrong types, unknown fields and missing ones, listing each', () => {
    const s = base()
    ;(s.sites as Array<Record<string, unknown>>)[0]!.diskTB = -5
    ;(s.communities as Array<Record<string, unknown>>)[0]!.ingest = [
      { site: 'a', tbPerDay: 'lots', meanFileMB: 1 },
    ]
    s.colour = 'blue'
    delete s.days
    const e = fails(stringify(s), 'SCENARIO_INVALID')
    const errors = (e.details as { errors: Array<{ field: string; message: string }> }).errors
    const text = JSON.stringify(errors)
    assert.match(text, /sites\.0\.diskTB/)
    assert.match(text, /ingest\.0\.tbPerDay/)
    assert.match(text, /unknown field 'colour'/)
    assert.match(text, /'days' is required/)
  })
  it('names unknown sites in ingest, links and outages', () => {
    const s = base()
    ;(s.links as unknown[]).push({ from: 'a', to: 'nowhere', gbps: 1 })
    s.outages = [{ site: 'atlantis', startHour: 1, hours: 2 }]
    const e = fails(stringify(s), 'SCENARIO_UNKNOWN_SITE', /links\.1\.to/)
    assert.match(e.message, /atlantis/)
  })
  it('names an unknown landscape site', () => {
    const s = base()
    ;(s.sites as unknown[]).push({ name: 'z', landscape: 'no-such-site' })
    fails(stringify(s), 'SCENARIO_UNKNOWN_SITE', /sites\.2\.landscape/)
  })
  it('refuses a malformed expression and one that selects no site', () => {
    const s = base()
    ;(s.communities as Array<{ rules: Array<{ expression: string }> }>)[0]!.rules[0]!.expression =
      'tier=1&('
    fails(stringify(s), 'SCENARIO_INVALID', /rules\.0\.expression/)
    const t = base()
    ;(t.communities as Array<Record<string, unknown>>)[0]!.allocations = [
      { name: 'al', coreHours: 10, services: 'country=XX' },
    ]
    assert.throws(() => simulate(parseScenario(stringify(t))), { code: 'SCENARIO_INVALID' })
  })
  it('refuses an oversized document', () => {
    assert.throws(() => parseScenario('#'.repeat(1_100_000)), { code: 'PAYLOAD_TOO_LARGE' })
  })
  it('answers SCENARIO_NOT_FOUND for an unknown shipped name', () => {
    assert.throws(() => readShippedScenario('nope'), { code: 'SCENARIO_NOT_FOUND' })
    assert.throws(() => runSimulation({}), { code: 'VALIDATION_FAILED' })
  })
})

describe('bottlenecks', () => {
  it('names a full disk first, with the storage action of the gap report', () => {
    const s = base()
    ;(s.sites as Array<Record<string, unknown>>)[1]!.diskTB = 3
    const r = simulate(parseScenario(stringify(s)))
    assert.equal(r.bottleneck?.kind, 'storage-full')
    assert.equal(r.bottleneck?.where, 'b (disk)')
    assert.equal(r.bottleneck?.action.target, 'storage:b')
    assert.equal(r.bottleneck?.action.requirement, 'data.storedPB')
    assert.ok(r.summary.unplacedTB > 0)
  })
  it('names a link that cannot keep up, and says to raise its concurrency', () => {
    const s = base()
    s.days = 3
    // 10 TB/day needs ~0.93 Gb/s; four transfers of 0.05 Gb/s carry 0.2 Gb/s.
    s.links = [{ from: 'a', to: 'b', gbps: 10, maxActive: 4, streamGbps: 0.05 }]
    const r = simulate(parseScenario(stringify(s)))
    assert.equal(r.bottleneck?.kind, 'link-backlog', JSON.stringify(r.bottlenecks))
    assert.equal(r.bottleneck?.where, 'link:a→b')
    assert.match(r.bottleneck?.action.change ?? '', /concurrent transfers/)
    assert.equal(r.summary.distributionHours, null)
    assert.ok(r.summary.backlogTB > 0)
  })
  it('names a link at its bandwidth, and says to raise the bandwidth', () => {
    const s = base()
    s.days = 3
    s.links = [{ from: 'a', to: 'b', gbps: 0.5, maxActive: 100, streamGbps: 1 }]
    const r = simulate(parseScenario(stringify(s)))
    assert.equal(r.bottleneck?.kind, 'link-backlog')
    assert.match(r.bottleneck?.action.change ?? '', /raise the bandwidth/)
  })
  it('names an allocation used up, then the tasks the broker cannot place, with its reason', () => {
    const s = base()
    ;(s.communities as Array<Record<string, unknown>>)[0]!.workflows = [
      { name: 'w', tasksPerDay: 240, cores: 1, walltimeHours: 1 },
    ]
    ;(s.communities as Array<Record<string, unknown>>)[0]!.allocations = [
      { name: 'al', coreHours: 50, services: 'a|b' },
    ]
    const r = simulate(parseScenario(stringify(s)))
    const kinds = r.bottlenecks.map((b) => b.kind)
    assert.ok(kinds.includes('allocation-exhausted'), JSON.stringify(r.bottlenecks))
    const unplaced = r.bottlenecks.find((b) => b.kind === 'unplaced-tasks')!
    assert.match(unplaced.detail, /no allocation left/)
    assert.equal(unplaced.action.requirement, 'access.allocationModel')
    assert.ok(r.summary.tasksUnplaced > 0)
    assert.ok(r.allocations[0]!.coreHoursLeft.at(-1)! <= 0)
  })
  it('meets none when capacity is ample', () => {
    const s = base()
    const c = (s.communities as Array<{ ingest: Array<Record<string, unknown>> }>)[0]!
    c.ingest[0]!.endDay = 0.5
    const r = simulate(parseScenario(stringify(s)))
    assert.equal(r.bottleneck, null)
    assert.equal(r.summary.replicatedTB, 5)
    assert.ok(r.summary.distributionHours !== null && r.summary.distributionHours <= 12.5)
    assert.equal(r.summary.backlogTB, 0)
  })
})

describe('transfer scheduling', () => {
  it("splits a link's slots by community share through the real fair-share code", () => {
    const s = parseScenario(stringify(base()))
    const link = buildLinks(s).get('a|b')!
    link.limit = 16
    const ds = {
      key: 'k',
      community: 'x',
      bytes: 1e12,
      files: 1000,
      origin: 'a',
      holders: new Set<string>(),
      createdHour: 0,
    }
    for (const [i, community] of ['big', 'small'].entries()) {
      link.queue.push({
        id: `r${i}`,
        dataset: ds,
        community,
        activity: 'a',
        dest: 'b',
        destSite: 'b',
        bytes: 1e12,
        files: 1000,
        remaining: 1e12,
        createdHour: 0,
        expiresHour: null,
      })
    }
    const slots = shareSlots(
      link,
      new Map([
        ['big', 3],
        ['small', 1],
      ]),
      new Date(0),
    )
    const byCommunity = new Map([...slots].map(([r, n]) => [r.community, n]))
    assert.deepEqual(Object.fromEntries(byCommunity), { big: 12, small: 4 })
  })
})

describe('shipped scenarios', () => {
  it('lists three, each with sources', () => {
    const items = listScenarios().items
    assert.deepEqual(
      items.map((i) => i.name),
      ['hl-lhc-year', 'ska-year', 'srcnet-v0.1-data-challenge'],
    )
  })
  for (const name of shippedScenarioNames()) {
    it(`runs ${name} to a report with a standalone HTML page`, () => {
      const report = runSimulation({ name })
      assert.ok(typeof report !== 'string')
      assert.ok(report.scenario.sources.length > 0)
      assert.ok(report.summary.replicatedTB > 0)
      assert.equal(report.hours.length, report.sites[0]!.usedTB.length)
      // A year must stay well inside the minute the issue allows (the bench measures it).
      assert.ok(report.run.wallMs < 30_000, `${report.run.wallMs} ms`)
      const html = renderSimulationHtml(report)
      assert.match(html, /<svg /)
      assert.doesNotMatch(html, /<script|<link |src=/)
    })
  }
  it('replays the SRCNet v0.1 challenge: all 150 TB and ~1M files distributed', () => {
    const r = runSimulation({ name: 'srcnet-v0.1-data-challenge' })
    assert.ok(typeof r !== 'string')
    assert.equal(Math.round(r.summary.replicatedTB), 150)
    assert.ok(Math.abs(r.summary.replicatedFiles - 1e6) < 1e3)
    assert.ok(r.summary.distributionHours !== null && r.summary.distributionHours < 36)
  })
})
