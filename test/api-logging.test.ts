/** Request logs: one JSON line per request with its id, and no secrets in any line. */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { censorQuery } from '../src/api/access-log.js'
import { openTestDatabase } from '../src/db/testing.js'
import { createLogger } from '../src/platform/index.js'
import { makeInfrastructure } from './support/factories.js'
import { adminGroup, startTestServer } from './support/server.js'

describe('API logging', () => {
  it('writes one access line per request with the request id, and never the token', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean))
        done()
      },
    })
    const logger = createLogger({ level: 'info' }, sink)
    const database = await openTestDatabase('pglite')
    const server = await startTestServer(database, { logger })
    // A real, valid token: it must reach the gate and never a log line.
    const secret = await server.mintToken({ sub: 'log-test', groups: [adminGroup] })
    try {
      const infra = await server.client.catalog.addInfrastructure(makeInfrastructure())
      const response = await fetch(
        `${server.url}/catalog/infrastructures/${infra.name}?access_token=${secret}`,
        {
          headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'trace-abc.123' },
        },
      )
      assert.equal(
        response.headers.get('x-request-id'),
        'trace-abc.123',
        'a well-formed caller id is kept',
      )
      const forged = await fetch(`${server.url}/healthz`, {
        headers: { 'x-request-id': 'bad id\twith tabs' },
      })
      assert.notEqual(
        forged.headers.get('x-request-id'),
        'bad id\twith tabs',
        'a malformed caller id is replaced',
      )
    } finally {
      await server.close()
      await database.close()
      logger.flush()
    }
    const text = lines.join('\n')
    assert.ok(!text.includes(secret), 'no token in the logs')
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const access = entries.filter((e) => e.msg === 'request')
    const get = access.find((e) => e.reqId === 'trace-abc.123')
    assert.ok(get, text)
    assert.equal(get.status, 200)
    assert.equal(get.method, 'GET')
    assert.match(String(get.url), /access_token=\[redacted\]/)
    assert.equal(typeof get.time, 'string')
    assert.ok(access.some((e) => e.method === 'POST' && e.status === 201))
    assert.ok(
      !access.some((e) => String(e.url).startsWith('/healthz')),
      'health checks are not access-logged',
    )
  })

  it('censors secret-named query parameters only', () => {
    assert.equal(
      censorQuery('/a?x=1&token=abc&Access_Token=z&y'),
      '/a?x=1&token=[redacted]&Access_Token=[redacted]&y',
    )
    assert.equal(censorQuery('/a'), '/a')
    assert.equal(
      censorQuery('/a?%E0%A4%A=1'),
      '/a?%E0%A4%A=1',
      'undecodable keys are kept as they are',
    )
  })
})
