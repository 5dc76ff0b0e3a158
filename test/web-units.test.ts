/** Pure parts of the dashboard: the per-link transfer adapter and number formatting. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Transfer } from '../src/client/index.js'
import { formatBytes, formatNumber } from '../web/src/format.js'
import { failureClass, transferStatsFromList, withLiveLinks } from '../web/src/transfer-stats.js'

let n = 0
function transfer(overrides: Partial<Transfer>): Transfer {
  n++
  return {
    id: `0190${String(n).padStart(4, '0')}-0000-7000-8000-000000000000`,
    scope: 'user',
    name: `f${n}`,
    endpoint: 'KIT_DATADISK',
    state: 'queued',
    activity: 'default',
    community: 'user',
    priority: 3,
    source: null,
    bytes: 0,
    attempts: 0,
    lastError: null,
    failureClass: null,
    notBefore: '2026-03-01T12:00:00.000Z',
    createdAt: '2026-03-01T12:00:00.000Z',
    updatedAt: '2026-03-01T12:00:00.000Z',
    ...overrides,
  }
}

describe('transfer statistics adapter', () => {
  const now = new Date('2026-03-01T12:10:00Z')

  it('counts per link and puts finished bytes in the minute they finished', () => {
    const stats = transferStatsFromList(
      [
        transfer({ state: 'submitted' }),
        transfer({ state: 'queued' }),
        transfer({ state: 'queued', endpoint: 'SURF_LOFAR' }),
        transfer({ state: 'done', bytes: 6e9, updatedAt: '2026-03-01T12:09:30Z' }),
        transfer({ state: 'done', bytes: 6e9, updatedAt: '2026-03-01T12:09:10Z' }),
        transfer({ state: 'done', bytes: 1e9, updatedAt: '2026-03-01T10:00:00Z' }),
      ],
      now,
      { bucketSeconds: 60, buckets: 10 },
    )
    assert.deepEqual(
      stats.links.map((l) => [l.destination, l.active, l.queued, l.done]),
      [
        ['KIT_DATADISK', 1, 1, 3],
        ['SURF_LOFAR', 0, 1, 0],
      ],
    )
    const kit = stats.links[0]
    assert.equal(stats.times.length, 10)
    assert.equal(stats.times.at(-1), Date.parse('2026-03-01T12:09:00Z') / 1000)
    assert.equal(kit?.throughput.at(-1), 12e9 / 60, '12 GB in the last minute')
    assert.equal(
      kit?.throughput.reduce((a, b) => a + b, 0),
      12e9 / 60,
      'transfers older than the window are left out of the plot',
    )
    assert.equal(kit?.bytesDone, 13e9)
  })

  it('classes failures by the catalogue code or the error text, once per transfer', () => {
    const stats = transferStatsFromList(
      [
        transfer({ state: 'failed', lastError: 'adler32 mismatch: expected 1, got 2' }),
        transfer({ state: 'queued', lastError: 'connect ECONNREFUSED 127.0.0.1:1094' }),
        transfer({ state: 'failed', lastError: 'STORAGE_FULL: no space left' }),
        transfer({ state: 'done', lastError: 'ENOENT' }),
      ],
      now,
    )
    assert.deepEqual(stats.failuresByClass, {
      CHECKSUM_MISMATCH: 1,
      STORAGE_UNREACHABLE: 1,
      STORAGE_FULL: 1,
    })
    assert.equal(failureClass('open /x: ENOENT'), 'STORAGE_FILE_NOT_FOUND')
    assert.equal(failureClass('HTTP 403 Forbidden'), 'STORAGE_PERMISSION_DENIED')
    assert.equal(failureClass('something odd'), 'STORAGE_ERROR')
  })

  it("prefers the scheduler's failure class and its live link figures over the bounded list", () => {
    const listed = transferStatsFromList(
      [
        transfer({ state: 'failed', source: 'CERN', lastError: 'odd', failureClass: 'permission' }),
        transfer({ state: 'queued', source: 'CERN' }),
      ],
      now,
      { buckets: 5 },
    )
    assert.deepEqual(listed.failuresByClass, { permission: 1 })
    const live = withLiveLinks(listed, [
      {
        source: 'CERN',
        destination: 'KIT_DATADISK',
        active: 4,
        queued: 1200,
        activeLimit: 6,
        maxActive: 50,
        done: 10,
        failed: 1,
        successRate: 10 / 11,
        throughputBps: 1e8,
        lastDecision: null,
        evaluatedAt: null,
        closed: true,
      },
      {
        source: '*',
        destination: 'SURF_LOFAR',
        active: 0,
        queued: 3,
        activeLimit: 2,
        maxActive: 50,
        done: 0,
        failed: 0,
        successRate: null,
        throughputBps: 0,
        lastDecision: null,
        evaluatedAt: null,
        closed: false,
      },
    ])
    assert.deepEqual(
      live.links.map((l) => [
        l.link,
        l.active,
        l.queued,
        l.failed,
        l.activeLimit,
        l.throughput.length,
        l.closed,
      ]),
      [
        ['* → SURF_LOFAR', 0, 3, 0, 2, 5, false],
        ['CERN → KIT_DATADISK', 4, 1200, 1, 6, 5, true],
      ],
    )
  })
})

describe('formatting', () => {
  it('writes sizes in SI units and keeps small amounts visible', () => {
    assert.equal(formatBytes(0), '0 B')
    assert.equal(formatBytes(20_000), '20 kB')
    assert.equal(formatBytes(1.5e12), '1.5 TB')
    assert.equal(formatBytes(null), '—')
    assert.equal(formatNumber(0.000123), '0.000123')
    assert.equal(formatNumber(5_808_616), '5,808,616')
  })
})
