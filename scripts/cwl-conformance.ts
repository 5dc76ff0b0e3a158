/**
 * Runs the CWL v1.2 conformance suite (../shared/cwl-v1.2) through the embedded runner and
 * prints the pass count per tag, then the failures with their reasons.
 *   node --import tsx scripts/cwl-conformance.ts [tag]   (default: every test)
 */
import {
  loadSuite,
  needsMissingHelpers,
  runSuiteTest,
  suiteRoot,
  type Outcome,
} from '../test/support/cwl-suite.js'

const root = suiteRoot()
if (!root) {
  console.error('the CWL v1.2 conformance suite is not at ../shared/cwl-v1.2')
  process.exit(2)
}
const only = process.argv[2]
const tests = loadSuite(root).filter((t) => !only || t.tags.includes(only))
const outcomes: Array<Outcome & { tags: string[] }> = []
for (const t of tests) {
  const outcome = needsMissingHelpers.has(t.id)
    ? {
        id: t.id,
        passed: false,
        reason: 'needs a helper program the shared copy leaves out',
        exitCode: -1,
      }
    : await runSuiteTest(t)
  outcomes.push({ ...outcome, tags: t.tags })
  process.stderr.write(outcome.passed ? '.' : 'F')
}
process.stderr.write('\n')
const tags = [...new Set(outcomes.flatMap((o) => o.tags))].sort()
for (const tag of tags) {
  const of = outcomes.filter((o) => o.tags.includes(tag))
  console.log(`${tag.padEnd(28)} ${of.filter((o) => o.passed).length}/${of.length}`)
}
const passed = outcomes.filter((o) => o.passed).length
console.log(
  `${'all'.padEnd(28)} ${passed}/${outcomes.length} (${((100 * passed) / outcomes.length).toFixed(1)} %)`,
)
for (const o of outcomes.filter((x) => !x.passed)) {
  console.log(`FAIL ${o.id}: ${o.reason.slice(0, 240)}`)
}
