/**
 * CWL v1.2 conformance (issue 19): every `required` test of the official suite that the shared
 * copy can run (74 of 84: the others need helper programs it leaves out) passes through the
 * embedded runner. The suite is read from ../shared/cwl-v1.2, never copied here;
 * scripts/cwl-conformance.ts runs the whole suite and prints the figures per tag.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadSuite, needsMissingHelpers, runSuiteTest, suiteRoot } from './support/cwl-suite.js'

const root = suiteRoot()
const skip = root ? false : 'the CWL v1.2 conformance suite is not at ../shared/cwl-v1.2'
if (skip && process.env.CI === 'true') throw new Error(`${skip} (CI=true: must run)`)

describe('CWL v1.2 conformance: the required tests', { skip }, () => {
  const tests = root ? loadSuite(root).filter((t) => t.tags.includes('required')) : []
  it('finds the 84 required tests in the suite', () => assert.equal(tests.length, 84))
  for (const t of tests) {
    const missing = needsMissingHelpers.has(t.id)
    it(
      `${t.id}: ${t.doc}`,
      { skip: missing && 'needs a helper program the shared copy leaves out' },
      async () => {
        const outcome = await runSuiteTest(t)
        assert.ok(outcome.passed, `${outcome.reason} (exit ${outcome.exitCode})`)
      },
    )
  }
})
