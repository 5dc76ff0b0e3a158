/**
 * External issuers: a real OIDC provider over HTTP, found by discovery; its JWKS is cached,
 * refreshed once for an unknown key id and not again within the cooldown; ES256 and RS256.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { ManualClock } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestIdp, type TestIdp } from './support/idp.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('external token issuers', (fixture) => {
  let idp: TestIdp
  let server: TestServer
  const clock = new ManualClock(new Date())
  before(async () => {
    idp = await startTestIdp()
    server = await startTestServer(fixture().database, {
      clock,
      security: {
        issuers: [{ issuer: idp.issuer, acceptAnyAudience: true }],
        audiences: ['continuum', 'https://continuum.example.org'],
      },
    })
  })
  after(async () => {
    await server.close()
    await idp.close()
  })

  const me = async (token: string) => {
    const response = await fetch(`${server.url}/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    })
    return {
      status: response.status,
      body: (await response.json()) as {
        groups?: string[]
        communities?: string[]
        issuer?: string
        error?: { details: { reason?: string } }
      },
    }
  }

  it('discovers the issuer, verifies ES256 and RS256 tokens, and caches its keys', async () => {
    const es = await me(
      await idp.sign({ sub: 'u1', aud: 'continuum', 'wlcg.groups': ['/lofar/imaging', '/lofar'] }),
    )
    assert.equal(es.status, 200, JSON.stringify(es.body))
    assert.deepEqual(es.body.groups, ['/lofar/imaging', '/lofar'], 'groups keep their order')
    assert.deepEqual(es.body.communities, ['lofar'])
    assert.equal(es.body.issuer, idp.issuer)
    const rs = await me(
      await idp.sign(
        { sub: 'u2', aud: ['x', 'https://continuum.example.org'] },
        { kid: 'idp-rs256' },
      ),
    )
    assert.equal(rs.status, 200, 'an audience array naming this deployment is accepted')
    assert.equal(idp.jwksFetches, 1, 'one JWKS download for both tokens')
  })

  it('accepts the WLCG any-audience where configured and refuses other audiences', async () => {
    assert.equal(
      (await me(await idp.sign({ sub: 'u3', aud: 'https://wlcg.cern.ch/jwt/v1/any' }))).status,
      200,
    )
    const other = await me(await idp.sign({ sub: 'u3', aud: 'https://fts.example.org' }))
    assert.equal(other.status, 401)
    assert.equal(other.body.error?.details.reason, 'aud')
  })

  it('refreshes the key set once for a new kid, and not again within the cooldown', async () => {
    const before = idp.jwksFetches
    await idp.addKey('rotated', 'ES256')
    const picked = await me(await idp.sign({ sub: 'u4', aud: 'continuum' }, { kid: 'rotated' }))
    assert.equal(picked.status, 200, JSON.stringify(picked.body))
    assert.equal(idp.jwksFetches, before + 1)
    await idp.addKey('second-rotation', 'ES256')
    const refused = await me(
      await idp.sign({ sub: 'u5', aud: 'continuum' }, { kid: 'second-rotation' }),
    )
    assert.equal(
      refused.status,
      401,
      'within the cooldown an unknown kid does not trigger another download',
    )
    assert.equal(idp.jwksFetches, before + 1)
    clock.advance(31_000)
    assert.equal(
      (await me(await idp.sign({ sub: 'u5', aud: 'continuum' }, { kid: 'second-rotation' })))
        .status,
      200,
      'after the cooldown it does',
    )
    assert.equal(idp.jwksFetches, before + 2)
  })

  it('refuses a token naming an issuer that is not trusted, without contacting it', async () => {
    const stranger = await startTestIdp()
    try {
      const answer = await me(await stranger.sign({ sub: 'u6', aud: 'continuum' }))
      assert.equal(answer.status, 401)
      assert.equal(answer.body.error?.details.reason, 'issuer')
      assert.equal(stranger.jwksFetches, 0)
    } finally {
      await stranger.close()
    }
  })
})
