/**
 * InitialWorkDirRequirement staging: non-text entries written as the reference runner writes
 * JSON, Directory literals made as folders, and entrynames kept inside the output folder.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { CwlError } from '../src/cwl/errors.js'
import { pythonJson, stageInitialWorkDir } from '../src/cwl/initial-work-dir.js'
import { tempDir } from './support/workflows.js'

function stage(listing: unknown[]): string {
  const outdir = path.join(tempDir('cwl-iwd-'), 'out')
  mkdirSync(outdir)
  stageInitialWorkDir(
    { class: 'InitialWorkDirRequirement', listing },
    { outdir, baseDir: outdir, context: { inputs: {}, self: null, runtime: {} }, js: undefined },
  )
  return outdir
}

describe('InitialWorkDirRequirement staging', () => {
  it('writes JSON with the separators and escapes of Python json.dumps', () => {
    assert.equal(pythonJson({ a: [1, 'é'], b: null }), '{"a": [1, "\\u00e9"], "b": null}')
  })

  it('makes a Directory literal a folder holding its listing', () => {
    const outdir = stage([
      {
        entryname: 'dir',
        entry: { class: 'Directory', listing: [{ class: 'File', basename: 'f', contents: 'x' }] },
      },
      { entryname: 'empty', entry: { class: 'Directory', listing: [] } },
    ])
    assert.deepEqual(readdirSync(outdir).sort(), ['dir', 'empty'])
    assert.equal(readFileSync(path.join(outdir, 'dir', 'f'), 'utf8'), 'x')
  })

  it('refuses an entryname leading outside the output folder', () => {
    assert.throws(() => stage([{ entryname: '../x', entry: 'y' }]), CwlError)
  })
})
