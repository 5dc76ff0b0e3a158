import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import { actionGroups, buildCedarSchema, parseAction } from './cedar-schema.js'

describe('Cedar schema from route actions', () => {
  it('classifies verbs and builds groups', () => {
    assert.deepEqual(actionGroups(parseAction('catalog.infrastructure.list')), [
      'read',
      'catalog',
      'catalog.read',
    ])
    assert.deepEqual(actionGroups(parseAction('data.replica_set.delete')), [
      'write',
      'data',
      'data.write',
    ])
    assert.deepEqual(
      actionGroups(parseAction('usage.read')),
      ['read', 'usage'],
      'a two-part action is not its own parent',
    )
    assert.throws(() => parseAction('Catalog.Read'))
    assert.throws(() => parseAction('single'))
  })

  it('gives a schema Cedar accepts, even when an action doubles as a group', () => {
    const schema = buildCedarSchema([
      'usage.read',
      'usage.report.read',
      'catalog.infrastructure.create',
    ])
    const answer = cedar.validate({
      schema,
      policies: {
        staticPolicies: {
          p: 'permit (principal, action in Action::"usage.read", resource);',
          q: 'permit (principal in Community::"atlas", action == Action::"catalog.infrastructure.create", resource is Infrastructure) when { resource has community && resource.community == "atlas" };',
        },
      },
      validationSettings: { mode: 'strict' },
    })
    assert.equal(answer.type, 'success', JSON.stringify(answer))
    assert.deepEqual(answer.type === 'success' ? answer.validationErrors : [], [])
  })
})
