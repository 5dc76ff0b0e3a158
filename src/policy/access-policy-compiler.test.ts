import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import type { Context } from '../db/index.js'
import { compileAccessPolicy } from './access-policy-compiler.js'
import { buildCedarSchema } from './cedar-schema.js'
import { PolicyEngine, toStaticPolicies } from './engine.js'

const actions = [
  'workflows.task.create',
  'workflows.task.read',
  'data.file.read',
  'data.file.create',
]
const input = {
  name: 'lumi-euro-hpc',
  communities: ['atlas', 'lofar'],
  accessRoute: 'euro-hpc-regular-access',
  computeServices: ['lumi-c', 'lumi-g'],
  storageServices: ['lumi-o'],
  interactive: false,
  unattendedWorkflows: true,
}

function engineFor(policies: ReturnType<typeof compileAccessPolicy>): PolicyEngine {
  const engine = new PolicyEngine({} as Context, () => actions)
  engine.load(policies)
  return engine
}

function ask(
  engine: PolicyEngine,
  communities: string[],
  action: string,
  type: 'ComputeService' | 'StorageEndpoint',
  name: string,
  context: { interactive?: boolean; unattended?: boolean } = {},
) {
  return engine.decide(
    {
      principal: {
        principal: 'i#u',
        issuer: 'i',
        subject: 'u',
        groups: communities.map((c) => `/${c}`),
        communities,
      },
      action,
      resource: { type, id: name, attrs: { name } },
      context: { capabilityToken: false, scopeGrants: false, ...context },
    },
    { useCache: false },
  )
}

describe('access policy compiler', () => {
  it('produces Cedar that validates against the schema', () => {
    const compiled = compileAccessPolicy(input)
    assert.deepEqual(
      compiled.map((p) => p.name),
      ['access.lumi-euro-hpc.compute', 'access.lumi-euro-hpc.storage'],
    )
    const answer = cedar.validate({
      schema: buildCedarSchema(actions),
      policies: { staticPolicies: toStaticPolicies(compiled) },
      validationSettings: { mode: 'strict' },
    })
    assert.equal(answer.type, 'success')
    assert.deepEqual(answer.type === 'success' ? answer.validationErrors : ['failure'], [])
  })

  it('lets eligible communities use the covered services, and no one else', () => {
    const engine = engineFor(compileAccessPolicy(input))
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'ComputeService', 'lumi-g').decision,
      'allow',
    )
    assert.deepEqual(
      ask(engine, ['lofar'], 'data.file.create', 'StorageEndpoint', 'lumi-o').policies,
      ['access.lumi-euro-hpc.storage'],
    )
    assert.equal(
      ask(engine, ['cms'], 'workflows.task.create', 'ComputeService', 'lumi-g').decision,
      'deny',
    )
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'ComputeService', 'leonardo').decision,
      'deny',
    )
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'StorageEndpoint', 'lumi-c').decision,
      'deny',
      'a compute service name does not open storage',
    )
  })

  it('honours the interactive and unattended flags', () => {
    const engine = engineFor(compileAccessPolicy(input))
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'ComputeService', 'lumi-c', {
        interactive: true,
      }).decision,
      'deny',
    )
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'ComputeService', 'lumi-c', {
        unattended: true,
      }).decision,
      'allow',
    )
    const batchOnly = engineFor(
      compileAccessPolicy({ ...input, interactive: true, unattendedWorkflows: false }),
    )
    assert.equal(
      ask(batchOnly, ['atlas'], 'workflows.task.create', 'ComputeService', 'lumi-c', {
        interactive: true,
      }).decision,
      'allow',
    )
    assert.equal(
      ask(batchOnly, ['atlas'], 'workflows.task.create', 'ComputeService', 'lumi-c', {
        unattended: true,
      }).decision,
      'deny',
    )
  })

  it("opens to every community's members with '*', and quotes names safely", () => {
    const open = engineFor(compileAccessPolicy({ ...input, communities: ['*'] }))
    assert.equal(
      ask(open, ['ska'], 'workflows.task.create', 'ComputeService', 'lumi-c').decision,
      'allow',
    )
    assert.equal(
      ask(open, [], 'workflows.task.create', 'ComputeService', 'lumi-c').decision,
      'deny',
      'no community, no access',
    )
    const tricky = compileAccessPolicy({
      ...input,
      computeServices: ['x"] || true || ["'],
      storageServices: [],
    })
    const engine = engineFor(tricky)
    assert.equal(
      ask(engine, ['atlas'], 'workflows.task.create', 'ComputeService', 'other').decision,
      'deny',
      'a service name cannot inject Cedar',
    )
    assert.throws(() => compileAccessPolicy({ ...input, name: 'Bad Name' }))
  })
})
