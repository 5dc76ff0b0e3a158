import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { createLogger } from './logger.js'

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

describe('logging', () => {
  it('redacts tokens, passwords, secrets and authorization headers wherever they are nested', () => {
    const out = capture()
    const logger = createLogger({ level: 'info' }, out.stream)
    const secret = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln'
    logger.info(
      { req: { headers: { authorization: `Bearer ${secret}`, cookie: `s=${secret}` } } },
      'request',
    )
    logger.info(
      {
        token: secret,
        password: secret,
        client_secret: secret,
        nested: { access_token: secret, refresh_token: secret },
      },
      'login',
    )
    logger.info({ headers: { authorization: secret } }, 'outgoing')
    const text = out.text()
    assert.ok(!text.includes(secret), text)
    assert.ok(text.includes('[redacted]'))
    assert.equal(text.trim().split('\n').length, 3)
    for (const line of text.trim().split('\n')) {
      assert.doesNotThrow(() => JSON.parse(line), 'one JSON object per line')
    }
  })
})

describe('scrubSecrets', () => {
  it('leaves objects without secrets untouched (same reference) and censors nested secrets', async () => {
    const { scrubSecrets } = await import('./logger.js')
    const clean = { method: 'GET', url: '/x', nested: { a: [1, 2, { b: 3 }] } }
    assert.equal(scrubSecrets(clean), clean)
    const dirty = { a: { b: { Authorization: 'Bearer x', list: [{ password: 'p' }] } }, ok: 1 }
    const scrubbed = scrubSecrets(dirty)
    assert.deepEqual(scrubbed, {
      a: { b: { Authorization: '[redacted]', list: [{ password: '[redacted]' }] } },
      ok: 1,
    })
    assert.equal(dirty.a.b.Authorization, 'Bearer x', 'the original is not modified')
  })
})
