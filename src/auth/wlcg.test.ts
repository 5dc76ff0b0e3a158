import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  communityOfGroup,
  groupCommunityMapper,
  isSupportedWlcgVersion,
  normalisePath,
  parseCapabilityScopes,
  parseGroups,
  storageScopeGrants,
} from './wlcg.js'

describe('WLCG profile', () => {
  it('accepts major version 1 only', () => {
    assert.ok(isSupportedWlcgVersion('1.0'))
    assert.ok(isSupportedWlcgVersion(undefined))
    assert.ok(!isSupportedWlcgVersion('2.0'))
    assert.ok(!isSupportedWlcgVersion(1))
    assert.ok(!isSupportedWlcgVersion('1'))
  })

  it('matches storage paths by component, never by string prefix', () => {
    const { storage } = parseCapabilityScopes('openid storage.read:/atlas storage.modify:/cms/user')
    assert.ok(storageScopeGrants(storage, 'storage.read', '/atlas'))
    assert.ok(storageScopeGrants(storage, 'storage.read', '/atlas/data/file.root'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas-private/x'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/../cms/x'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/%2e%2e/cms'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/./x'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', 'atlas/x'))
    assert.ok(
      !storageScopeGrants(storage, 'storage.modify', '/atlas/x'),
      'read does not grant modify',
    )
    assert.ok(storageScopeGrants(storage, 'storage.create', '/cms/user/a'), 'modify implies create')
    assert.ok(
      !storageScopeGrants(storage, 'storage.read', '/cms/user/a'),
      'modify does not imply read',
    )
  })

  it('drops malformed storage scopes instead of widening them', () => {
    const { storage, compute } = parseCapabilityScopes(
      'storage.read storage.read: storage.read:atlas storage.read:/a/../b storage.write:/ compute.create compute.fly',
    )
    assert.deepEqual(storage, [])
    assert.deepEqual(compute, ['compute.create'])
    assert.deepEqual(parseCapabilityScopes('storage.read:/').storage, [
      { capability: 'storage.read', path: '/' },
    ])
  })

  it('keeps groups as given: a sub-group does not imply its parent', () => {
    assert.deepEqual(
      parseGroups(['/atlas/production', '/cms', 7, '/atlas/production', '../x', '/']),
      ['/atlas/production', '/cms'],
    )
    assert.equal(communityOfGroup('/atlas/production'), 'atlas')
    assert.equal(normalisePath('/a//b/'), '/a/b')
  })

  it('maps groups to communities by configured rules, longest first', () => {
    const map = groupCommunityMapper('/escape=escape, /escape/lofar=lofar')
    assert.equal(map('/escape/lofar/imaging'), 'lofar')
    assert.equal(map('/escape/ska'), 'escape')
    assert.equal(map('/escape-other'), 'escape-other', 'by component, not by prefix')
    assert.equal(map('/atlas/production'), 'atlas', 'unmapped groups use their first component')
    assert.throws(() => groupCommunityMapper('atlas'))
    assert.throws(() => groupCommunityMapper('/atlas=Not Valid'))
  })
})
