/**
 * The audit log under floods and crashes (issue 16): a denial's row is stored before its 403
 * leaves (so a SIGKILL right after loses none); unauthenticated requests are counted per
 * address and route into one row and rate-limited with 429; old rows are pruned by retention.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { AuditRetentionAgent } from '../src/policy/index.js'
import { insertAuditRows } from '../src/policy/audit-store.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('audit durability and floods', (fixture) => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(fixture().database, {
      // The production window and limit, not the test server's defaults.
      security: {
        auditAnonymousWindowMs: 10_000,
        rateLimits: { unauthenticated: { perMinute: 300, burst: 60 } },
      },
    })
  })
  after(async () => server?.close())

  const auditRows = (decision: string, path: string) =>
    fixture()
      .database.db.selectFrom('audit_log')
      .select(['count', 'resource', 'request_id'])
      .where('decision', '=', decision)
      .where('path', '=', path)
      .execute()

  it('stores every denial before answering it: 40 denials, 40 rows, read without a flush', async () => {
    const token = await server.mintToken({ sub: 'durable-denied', groups: ['/atlas'] })
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${server.url}/audit?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(res.status, 403)
    }
    // Straight from the table, as a process started after a SIGKILL would see it.
    const rows = await fixture()
      .database.db.selectFrom('audit_log')
      .select('request_id')
      .where('decision', '=', 'deny')
      .where('principal', 'like', '%durable-denied%')
      .execute()
    assert.equal(rows.length, 40)
    assert.equal(new Set(rows.map((r) => r.request_id)).size, 40)
  })

  it('counts a flood of unauthenticated requests per address and route, and limits it with 429', async () => {
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 150; i++) {
      const res = await fetch(`${server.url}/catalog/infrastructures/flood-${i % 2}`)
      statuses.push(res.status)
      if (res.status === 429) retryAfter ??= res.headers.get('retry-after')
      await res.arrayBuffer()
    }
    assert.ok(statuses.every((s) => s === 401 || s === 429))
    assert.ok(statuses.filter((s) => s === 401).length >= 50, 'a burst is allowed')
    assert.ok(statuses.includes(429), 'the flood is limited')
    assert.ok(Number(retryAfter) >= 1)
    await server.app.security.audit.flush()
    for (const path of ['/catalog/infrastructures/flood-0', '/catalog/infrastructures/flood-1']) {
      const rows = await auditRows('unauthenticated', path)
      assert.equal(rows.length, 1, `one row for ${path}`)
      assert.equal(rows[0]?.count, 75)
      assert.match(rows[0]?.resource ?? '', /^Address::"(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)"$/)
    }
  })

  it('prunes audit rows older than the retention', async () => {
    const { ctx, clock } = fixture()
    const now = clock.now().getTime()
    const row = (daysAgo: number, requestId: string) => ({
      at: new Date(now - daysAgo * 86_400_000),
      request_id: requestId,
      principal: 'retention-test',
      action: 'x.y.read',
      resource: '',
      decision: 'allow',
      policies: '[]',
      reason: '',
      method: 'GET',
      path: '/retention',
      count: 1,
      last_at: null,
    })
    await insertAuditRows(ctx.db, [row(200, 'old-1'), row(181, 'old-2'), row(10, 'recent')])
    const agent = new AuditRetentionAgent(ctx, { days: 180, batch: 1 })
    assert.equal(await agent.runOnce(), 1)
    assert.equal(await agent.runOnce(), 1)
    assert.equal(await agent.runOnce(), 0)
    const left = await ctx.db
      .selectFrom('audit_log')
      .select('request_id')
      .where('principal', '=', 'retention-test')
      .execute()
    assert.deepEqual(
      left.map((r) => r.request_id),
      ['recent'],
    )
  })
})
