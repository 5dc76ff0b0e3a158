import assert from 'node:assert/strict'
import { it } from 'node:test'
import { matchSites } from './site-expression.js'

const sites = [
  { name: 'local', attributes: { batch: 'local', country: 'NL', cores: 2 } },
  { name: 'jsc', attributes: { batch: 'slurm', country: 'DE', cores: 1000 } },
  { name: 'desy', attributes: { batch: 'htcondor', country: 'DE', cores: 200 } },
]
const names = (e: string) => [...matchSites(e, sites)].sort()

it('evaluates site expressions left to right like RSE expressions', () => {
  assert.deepEqual(names('country=DE'), ['desy', 'jsc'])
  assert.deepEqual(names('country=DE&batch=slurm'), ['jsc'])
  assert.deepEqual(names('local|jsc'), ['jsc', 'local'])
  assert.deepEqual(names('country=DE\\desy'), ['jsc'])
  assert.deepEqual(names('cores>100'), ['desy', 'jsc'])
  assert.deepEqual(
    names('local|country=DE&cores>100'),
    ['desy', 'jsc'],
    'no precedence: (local|DE)&cores>100',
  )
  assert.deepEqual(names('local|(country=DE&cores<500)'), ['desy', 'local'])
  assert.deepEqual(names('nowhere'), [])
  for (const bad of ['', 'a|', '(a', 'a)', '&a', 'a||b']) {
    assert.throws(() => matchSites(bad, sites), /site expression/)
  }
})
