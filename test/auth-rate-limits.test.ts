/**
 * The built-in issuer's public endpoints under abuse: per-address limits answer 429 with
 * Retry-After and create nothing, and a CLI polling a device code too fast is told to slow down.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { sql } from 'kysely'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
})

describeEachBackend('public endpoint limits', (fixture) => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(fixture().database, {
      security: { rateLimits: { deviceAuthorization: { perMinute: 1, burst: 2 } } },
    })
  })
  after(() => server.close())

  const deviceCodes = async () =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from auth_device_codes`.execute(
          fixture().database.db,
        )
      ).rows[0]!.n,
    )

  it('answers 429 RATE_LIMITED with Retry-After past the limit, and stores nothing', async () => {
    const before = await deviceCodes()
    const ask = () =>
      fetch(`${server.url}/auth/device_authorization`, form({ client_id: 'continuum-cli' }))
    assert.equal((await ask()).status, 200)
    assert.equal((await ask()).status, 200)
    const refused = await ask()
    assert.equal(refused.status, 429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    const body = (await refused.json()) as { error: { code: string; details: unknown } }
    assert.equal(body.error.code, 'RATE_LIMITED')
    assert.deepEqual(body.error.details, { retryAfterSeconds: retryAfter })
    assert.equal(await deviceCodes(), before + 2, 'the refused request created no device code')
    const health = await fetch(`${server.url}/healthz`)
    assert.equal(health.status, 200, 'other endpoints are not affected')
  })

  it('tells a client polling faster than the interval to slow down (RFC 8628 §3.5)', async () => {
    const limited = await startTestServer(fixture().database)
    try {
      const start = (await (
        await fetch(
          `${limited.url}/auth/device_authorization`,
          form({ client_id: 'continuum-cli' }),
        )
      ).json()) as { device_code: string; user_code: string; interval: number }
      assert.ok(start.interval >= 1)
      const poll = async () =>
        (
          (await (
            await fetch(
              `${limited.url}/auth/token`,
              form({
                grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
                device_code: start.device_code,
              }),
            )
          ).json()) as { error: string }
        ).error
      assert.equal(await poll(), 'authorization_pending')
      assert.equal(await poll(), 'slow_down')
      assert.equal(await poll(), 'slow_down', 'and again while it keeps hurrying')
      const approved = await fetch(`${limited.url}/auth/device`, {
        ...form({ user_code: start.user_code, user: 'alice' }),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html,application/xhtml+xml',
        },
      })
      assert.equal(approved.status, 200)
      assert.match(approved.headers.get('content-type') ?? '', /text\/html/)
      assert.match(await approved.text(), /Login approved[\s\S]*alice/, 'a browser gets a page')
    } finally {
      await limited.close()
    }
  })
})
