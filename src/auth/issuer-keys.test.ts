import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { jwtVerify } from 'jose'
import { ManualClock } from '../platform/index.js'
import { BuiltInIssuer } from './built-in-issuer.js'
import { IssuerKeys } from './issuer-keys.js'

describe('built-in issuer keys', () => {
  it('stores the signing key with mode 0600, reuses it, and rotates it when old', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-keys-'))
    try {
      const keyDir = path.join(dir, 'keys')
      const clock = new ManualClock('2026-03-01T00:00:00Z')
      const first = await BuiltInIssuer.create({
        url: 'https://c.example.org',
        keyDir,
        clock,
        audience: 'continuum',
      })
      assert.equal(statSync(path.join(keyDir, 'issuer.json')).mode & 0o777, 0o600)
      assert.equal(statSync(keyDir).mode & 0o777, 0o700)
      const oldToken = await first.mint({ sub: 'alice', groups: ['/atlas'] })

      const again = await IssuerKeys.open(keyDir, { now: clock.now() })
      assert.equal(again.current.kid, first.keys.current.kid, 'a fresh key is reused')

      clock.advance(31 * 86_400_000)
      const rotated = await BuiltInIssuer.create({
        url: 'https://c.example.org',
        keyDir,
        clock,
        audience: 'continuum',
      })
      assert.notEqual(rotated.keys.current.kid, first.keys.current.kid, 'an old key is rotated')
      assert.equal(rotated.jwks().keys.length, 2, 'the previous public key stays published')
      assert.ok(
        rotated.jwks().keys.every((k) => k.d === undefined && k.p === undefined),
        'no private parts in the JWKS',
      )
      const { payload } = await jwtVerify(oldToken, rotated.keys.verificationKeys(), {
        currentDate: new Date('2026-03-01T00:10:00Z'),
      })
      assert.equal(payload.sub, 'alice', 'tokens signed before the rotation still verify')
      assert.equal(statSync(path.join(keyDir, 'issuer.json')).mode & 0o777, 0o600)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
