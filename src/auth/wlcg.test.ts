import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  communityOfGroup,
  groupCommunityMapper,
  isSupportedWlcgVersion,
  MalformedScopeError,
  parseIssuerPaths,
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

  it('rejects a token whose storage scope is malformed, instead of dropping the scope', () => {
    for (const bad of [
      'storage.read',
      'storage.read:',
      'storage.read:atlas',
      'storage.read:/a/../b',
      'storage.modify:/atlas/%2e%2e/cms',
      'openid storage.create:/ok storage.stage:./x',
    ]) {
      assert.throws(() => parseCapabilityScopes(bad), MalformedScopeError, bad)
    }
    const { storage, compute } = parseCapabilityScopes('storage.write:/ compute.create compute.fly')
    assert.deepEqual(storage, [], 'storage.write is no capability of the profile: ignored')
    assert.deepEqual(compute, ['compute.create'])
    assert.deepEqual(parseCapabilityScopes('storage.read:/').storage, [
      { capability: 'storage.read', path: '/', directory: false },
    ])
  })

  it('lets create, modify and stage read metadata, and only read and stage read bytes', () => {
    const { storage } = parseCapabilityScopes(
      'storage.create:/atlas/up storage.stage:/atlas/tape storage.modify:/atlas/mod',
    )
    for (const path of ['/atlas/up/f', '/atlas/tape/f', '/atlas/mod/f']) {
      assert.ok(storageScopeGrants(storage, 'storage.stat', path), path)
    }
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/up/f'), 'create is no read')
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/mod/f'), 'modify is no read')
    assert.ok(storageScopeGrants(storage, 'storage.read', '/atlas/tape/f'), 'stage includes read')
    assert.ok(!storageScopeGrants(storage, 'storage.stat', '/atlas/other'))
  })

  it('reads a trailing slash as a folder: what lies below it, not a file of that name', () => {
    const { storage } = parseCapabilityScopes('storage.read:/atlas/data/')
    assert.ok(storageScopeGrants(storage, 'storage.read', '/atlas/data/f.root'))
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/data'), 'not the file itself')
    assert.ok(storageScopeGrants(storage, 'storage.stat', '/atlas/data'), "the folder's metadata")
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/atlas/database/x'))
  })

  it("reads scope paths relative to the issuer's base path", () => {
    const { storage } = parseCapabilityScopes('storage.read:/ storage.modify:/user/x', '/atlas')
    assert.deepEqual(
      storage.map((s) => s.path),
      ['/atlas', '/atlas/user/x'],
    )
    assert.ok(!storageScopeGrants(storage, 'storage.read', '/lofar/f'))
    assert.deepEqual(
      [...parseIssuerPaths('https://iam.a/=/atlas, https://b=/lofar/x')],
      [
        ['https://iam.a', '/atlas'],
        ['https://b', '/lofar/x'],
      ],
    )
    assert.throws(() => parseIssuerPaths('https://iam.a'))
    assert.throws(() => parseIssuerPaths('https://iam.a=/a/../b'))
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
