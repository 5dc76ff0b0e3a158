/**
 * The compiled build (dist/) is used only while it matches src/: any edit, new or deleted
 * source, or older checkout makes it stale, and `continuum` then runs the sources instead.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
// @ts-expect-error: a plain JavaScript module (bin/ imports it before anything is compiled)
import { buildState, sourceSignature } from '../scripts/build-state.js'
import { runCli } from './support/cli.js'

type State = 'fresh' | 'stale' | 'missing'
const stateOf = buildState as (base: string) => State
const signatureOf = sourceSignature as (base: string) => string

describe('continuum build', () => {
  it('is fresh only while every source is as it was built', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'continuum-build-'))
    try {
      mkdirSync(path.join(base, 'src/cli'), { recursive: true })
      mkdirSync(path.join(base, 'dist'))
      writeFileSync(path.join(base, 'tsconfig.json'), '{}')
      writeFileSync(path.join(base, 'src/cli/main.ts'), 'export {}\n')
      writeFileSync(path.join(base, 'src/cli/main.test.ts'), '\n')
      const stamp = () =>
        writeFileSync(
          path.join(base, 'dist/build.json'),
          JSON.stringify({ signature: signatureOf(base) }),
        )
      assert.equal(stateOf(base), 'missing')
      stamp()
      assert.equal(stateOf(base), 'fresh')

      writeFileSync(path.join(base, 'src/cli/main.test.ts'), 'changed\n')
      assert.equal(stateOf(base), 'fresh', 'unit tests are not part of the build')

      const old = new Date('2020-01-01T00:00:00Z')
      utimesSync(path.join(base, 'src/cli/main.ts'), old, old)
      assert.equal(stateOf(base), 'stale', 'an older file (a checkout) is a change too')
      stamp()
      writeFileSync(path.join(base, 'src/cli/extra.ts'), 'export {}\n')
      assert.equal(stateOf(base), 'stale', 'a new source')
      stamp()
      rmSync(path.join(base, 'src/cli/extra.ts'))
      assert.equal(stateOf(base), 'stale', 'a deleted source')
      stamp()
      writeFileSync(path.join(base, 'tsconfig.json'), '{ }')
      assert.equal(stateOf(base), 'stale', 'compiler settings')
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })

  it('runs the sources when asked to, with the same result', async () => {
    const built = await runCli(['--version'])
    const source = await runCli(['--version'], { CONTINUUM_FROM_SOURCE: '1' })
    assert.equal(source.code, 0)
    assert.equal(source.stdout, built.stdout)
  })
})
