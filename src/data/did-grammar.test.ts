import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ContinuumError } from '../platform/index.js'
import { deterministicPath, namespacePath, parseDid } from './did-grammar.js'

function code(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    assert.ok(err instanceof ContinuumError)
    return err.code
  }
}

describe('data identifier grammar', () => {
  it('parses scope:name, names may contain further colons', () => {
    assert.deepEqual(parseDid('atlas:data18.AOD.pool.root.1'), {
      scope: 'atlas',
      name: 'data18.AOD.pool.root.1',
    })
    assert.deepEqual(parseDid('user.jdoe:a:b'), { scope: 'user.jdoe', name: 'a:b' })
  })

  it('refuses path tricks, bad characters and oversized parts', () => {
    for (const bad of [
      'noscope',
      ':name',
      'atlas:',
      'atlas:../etc/passwd',
      'atlas:a/b',
      'atlas:a..b',
      'atlas:.hidden',
      'atlas:-x',
      'atlas:a\u0000b',
      'atlas:a b',
      'atlas:a%2e',
      'at/las:x',
      '..:x',
      'user.:x',
      'user..jdoe:x',
      '.user:x',
      'user.-x:x',
      'a..b:x',
      `${'s'.repeat(26)}:x`,
      `atlas:${'n'.repeat(251)}`,
    ]) {
      assert.equal(
        code(() => parseDid(bad)),
        'DID_INVALID',
        bad,
      )
    }
    assert.equal(
      code(() => parseDid(`${'s'.repeat(25)}:${'n'.repeat(250)}`)),
      undefined,
    )
  })

  it('maps to a namespace path and a deterministic hashed physical path', () => {
    assert.equal(namespacePath({ scope: 'atlas', name: 'f1' }), '/atlas/f1')
    const p = deterministicPath({ scope: 'atlas', name: 'f1' })
    assert.match(p, /^atlas\/[0-9a-f]{2}\/[0-9a-f]{2}\/f1$/)
    assert.equal(deterministicPath({ scope: 'atlas', name: 'f1' }), p, 'reproducible')
    assert.match(
      deterministicPath({ scope: 'user.jdoe', name: 'f1' }),
      /^user\/jdoe\/[0-9a-f]{2}\/[0-9a-f]{2}\/f1$/,
    )
  })

  it('never yields a path that escapes its directory, for any accepted identifier', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 60 }), (scope, name) => {
        let did
        try {
          did = parseDid(`${scope}:${name}`)
        } catch (err) {
          assert.ok(err instanceof ContinuumError && err.code === 'DID_INVALID')
          return
        }
        const path = deterministicPath(did)
        assert.ok(!path.split('/').some((seg) => seg === '..' || seg === '.'), path)
        assert.ok(!path.startsWith('/') && !path.includes('\0'))
      }),
      { numRuns: 3000 },
    )
  })
})
