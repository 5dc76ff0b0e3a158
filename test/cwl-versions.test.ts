/** A v1.0 or v1.1 CWL document using a v1.2 feature is invalid; a v1.2 one may use it. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CwlError } from '../src/cwl/errors.js'
import { checkVersionFeatures } from '../src/cwl/versions.js'

const conditional = { class: 'Workflow', steps: { a: { when: '$(true)', run: 'x.cwl' } } }
const fractional = {
  class: 'CommandLineTool',
  requirements: { ResourceRequirement: { coresMin: 0.5 } },
}
const patterns = {
  class: 'CommandLineTool',
  inputs: { f: { type: 'File', secondaryFiles: [{ pattern: '.2' }] } },
}

describe('CWL features by version', () => {
  it('refuses v1.2 features in v1.0 and v1.1 documents', () => {
    assert.throws(() => checkVersionFeatures(conditional, 'v1.1'), CwlError)
    assert.throws(() => checkVersionFeatures(fractional, 'v1.0'), CwlError)
    assert.throws(() => checkVersionFeatures(patterns, 'v1.0'), CwlError)
  })

  it('accepts them where the version has them', () => {
    checkVersionFeatures(conditional, 'v1.2')
    checkVersionFeatures(fractional, 'v1.2')
    checkVersionFeatures(patterns, 'v1.1')
  })
})
