/**
 * `continuum cwl-runner` speaks the CWL runner protocol (issue 19): the output object as JSON
 * on stdout, exit 0 on success, 33 for an unsupported requirement, another non-zero code for a
 * failure; and CWL expressions run in QuickJS with limits, seeing nothing of this process.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, it } from 'node:test'
import { javascriptEvaluator } from '../src/cwl/expressions.js'
import { tempDir } from './support/workflows.js'

const run = promisify(execFile)
const fixtures = path.resolve('test/fixtures/cwl')

async function runner(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      'bin/continuum.js',
      'cwl-runner',
      ...args,
    ])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('continuum cwl-runner', () => {
  it('prints the output object and puts the outputs in --outdir', async () => {
    const outdir = tempDir('continuum-cwl-out-')
    const r = await runner(
      '--outdir',
      outdir,
      '--quiet',
      path.join(fixtures, 'upper.cwl'),
      path.join(fixtures, 'upper-job.yml'),
    )
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {
      upper: { class: string; basename: string; location: string; checksum: string; size: number }
    }
    assert.equal(out.upper.class, 'File')
    assert.equal(out.upper.basename, 'words.upper')
    assert.equal(out.upper.location, `file://${path.join(outdir, 'words.upper')}`)
    assert.equal(readFileSync(path.join(outdir, 'words.upper'), 'utf8'), 'CONTINUUM RUNS CWL\n')
    assert.match(out.upper.checksum, /^sha1\$[0-9a-f]{40}$/)
    assert.equal(out.upper.size, 19)
  })

  it('answers as continuum-cwl-runner too, and refuses an output linked outside its folder', async () => {
    const outdir = tempDir('continuum-cwl-out-')
    const { stdout } = await run(process.execPath, [
      'bin/continuum-cwl-runner.js',
      '--outdir',
      outdir,
      path.join(fixtures, 'upper.cwl'),
      path.join(fixtures, 'upper-job.yml'),
    ])
    assert.equal(
      (JSON.parse(stdout) as { upper: { basename: string } }).upper.basename,
      'words.upper',
    )
    const escape = await runner('--outdir', outdir, path.join(fixtures, 'link-out.cwl'))
    assert.equal(escape.code, 1)
    assert.match(escape.stderr, /leads outside the output folder/)
  })

  it('exits 33 for an unsupported requirement, 1 for a failed tool, 2 for an invalid input object', async () => {
    const outdir = tempDir('continuum-cwl-out-')
    const docker = await runner('--outdir', outdir, path.join(fixtures, 'needs-docker.cwl'))
    assert.equal(docker.code, 33)
    assert.match(docker.stderr, /DockerRequirement is not supported/)
    const failed = await runner('--outdir', outdir, path.join(fixtures, 'fails.cwl'))
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, /exited with code 1/)
    const invalid = await runner('--outdir', outdir, path.join(fixtures, 'upper.cwl'))
    assert.equal(invalid.code, 2)
    assert.match(invalid.stderr, /input 'text'/)
    assert.equal(invalid.stdout, '', 'nothing on stdout but an output object')
  })
})

describe('CWL expressions in QuickJS', () => {
  const context = { inputs: { n: 3, name: 'x.txt' }, self: [1, 2], runtime: { cores: 1 } }

  it('evaluates $(…) and ${…} with the expression library', async () => {
    const js = await javascriptEvaluator(['function twice(v) { return 2 * v; }'])
    assert.equal(js('twice(inputs.n) + self.length', context, false), 8)
    assert.deepEqual(js('var o = {}; o[inputs.name] = runtime.cores; return o;', context, true), {
      'x.txt': 1,
    })
  })

  it('sees nothing of this process and stops at its limits', async () => {
    const js = await javascriptEvaluator([], { timeoutMs: 200, memoryBytes: 8 * 1024 * 1024 })
    assert.equal(
      js('typeof process + typeof require + typeof globalThis.fetch', context, false),
      'undefinedundefinedundefined',
    )
    assert.throws(() => js('while (true) {}', context, true), /expression failed: .*interrupted/i)
    assert.throws(
      () => js('var a = []; while (true) a.push(new Array(1e6).fill(1));', context, true),
      /expression failed/,
    )
  })
})
