/**
 * The CWL v1.2 conformance suite, read from `../shared/cwl-v1.2` (never copied into the
 * project): its index with `$import`ed sub-indexes, each test run through the embedded runner,
 * and outputs compared the way the suite's own tool (cwltest) compares them: "Any" matches
 * anything, Files and Directories by location's last part, checksum, size and listing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CwlError, parseLenient, runCwl } from '../../src/cwl/index.js'

export interface SuiteTest {
  id: string
  doc: string
  tool: string
  job?: string | undefined
  output?: unknown
  shouldFail: boolean
  tags: string[]
}

/** Where the suite is: beside the project (CI), else the shared folder of this machine. */
export function suiteRoot(): string | undefined {
  const candidates = [path.resolve('..', 'shared', 'cwl-v1.2'), '/work/shared/cwl-v1.2']
  return candidates.find((p) => existsSync(path.join(p, 'conformance_tests.yaml')))
}

export function loadSuite(root: string): SuiteTest[] {
  const read = (file: string): SuiteTest[] => {
    const entries = parseLenient(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>
    const dir = path.dirname(file)
    return entries.flatMap((e) => {
      if (typeof e.$import === 'string') return read(path.resolve(dir, e.$import))
      return [
        {
          id: String(e.id ?? e.label),
          doc: typeof e.doc === 'string' ? e.doc : '',
          tool: path.resolve(dir, String(e.tool)),
          job: typeof e.job === 'string' ? path.resolve(dir, e.job) : undefined,
          output: e.output,
          shouldFail: e.should_fail === true,
          tags: (e.tags as string[] | undefined) ?? [],
        },
      ]
    })
  }
  return read(path.join(root, 'conformance_tests.yaml'))
}

/** Tests whose helper programs the shared copy leaves out (its SOURCE.md lists them). */
export const needsMissingHelpers = new Set([
  'cl_basic_generation',
  'nested_prefixes_arrays',
  'cl_optional_inputs_missing',
  'cl_optional_bindings_provided',
  'booleanflags_cl_noinputbinding',
  'expr_reference_self_noinput',
  'cl_empty_array_input',
  'valuefrom_constant_overrides_inputs',
  'cwloutput_nolimit',
  'record_order_with_input_bindings',
])

export interface Outcome {
  id: string
  passed: boolean
  reason: string
  exitCode: number
}

export async function runSuiteTest(t: SuiteTest): Promise<Outcome> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'continuum-cwl-out-'))
  try {
    let outputs: unknown
    let exitCode = 0
    let reason = ''
    try {
      outputs = await runCwl(t.tool, t.job, { outdir })
    } catch (err) {
      exitCode = err instanceof CwlError ? (err.kind === 'unsupported' ? 33 : 1) : 1
      reason = err instanceof Error ? err.message : String(err)
    }
    if (t.shouldFail) {
      return {
        id: t.id,
        passed: exitCode !== 0 && exitCode !== 33,
        reason: reason || 'succeeded, but should fail',
        exitCode,
      }
    }
    if (exitCode !== 0) return { id: t.id, passed: false, reason, exitCode }
    const mismatch = compare(t.output ?? {}, outputs, 'output')
    return { id: t.id, passed: mismatch === null, reason: mismatch ?? '', exitCode }
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

/** null when `actual` is what `expected` describes, else where it differs. */
export function compare(expected: unknown, actual: unknown, at: string): string | null {
  if (expected === 'Any') return null
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${at}: expected ${expected.length} items, got ${JSON.stringify(actual)?.slice(0, 300)}`
    }
    for (let i = 0; i < expected.length; i++) {
      const m = compare(expected[i], actual[i], `${at}[${i}]`)
      if (m) return m
    }
    return null
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${at}: expected an object, got ${JSON.stringify(actual)?.slice(0, 300)}`
    }
    const e = expected as Record<string, unknown>
    const a = actual as Record<string, unknown>
    const fileLike = e.class === 'File' || e.class === 'Directory'
    for (const [k, v] of Object.entries(e)) {
      if (fileLike && (k === 'location' || k === 'path')) {
        const got = [a.location, a.path].find((x): x is string => typeof x === 'string') ?? ''
        if (v !== 'Any' && !got.endsWith(`/${String(v).split('/').pop()}`) && got !== v) {
          return `${at}.${k}: expected …/${String(v)}, got ${got}`
        }
        continue
      }
      if (fileLike && k === 'listing' && Array.isArray(v) && Array.isArray(a.listing)) {
        // Listings compare in any order, as cwltest does.
        const rest = [...(a.listing as unknown[])]
        for (const item of v) {
          const i = rest.findIndex((r) => compare(item, r, at) === null)
          if (i < 0) return `${at}.listing: nothing matches ${JSON.stringify(item)}`
          rest.splice(i, 1)
        }
        continue
      }
      const m = compare(v, a[k], `${at}.${k}`)
      if (m) return m
    }
    return null
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(expected - actual) <= Math.abs(expected) * 1e-9
      ? null
      : `${at}: expected ${expected}, got ${actual}`
  }
  return expected === actual
    ? null
    : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)?.slice(0, 300)}`
}
