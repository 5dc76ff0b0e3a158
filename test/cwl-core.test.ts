/**
 * The CWL core's behaviour where the conformance tests `npm test` runs do not reach: escapes
 * in interpolated strings, one-item source lists, unbound record fields and null inputs on the
 * command line, the input object's `cwl:requirements`, ExpressionTool literals, format checking
 * through an ontology, secondary files named by expressions, renamed files staged under their
 * basename, InitialWorkDir listings of expressions, step `loadContents`, output secondary files
 * optional by default, files an outputEval makes up, in-place updates, and invalid time limits.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { buildCommandLine } from '../src/cwl/command-line.js'
import { loadProcess, type Process } from '../src/cwl/document.js'
import { CwlError } from '../src/cwl/errors.js'
import { contentsOf, secondaryTargets, stageRenamed } from '../src/cwl/files.js'
import { evaluate } from '../src/cwl/param-refs.js'
import { runCwl } from '../src/cwl/runner.js'
import { merge } from '../src/cwl/workflow.js'
import { tempDir } from './support/workflows.js'

const noContext = { inputs: { x: 'v' }, self: null, runtime: {} }

/** Writes files (documents as JSON, which CWL reads as YAML) into a fresh folder. */
function folder(files: Record<string, unknown>): string {
  const dir = tempDir('cwl-core-')
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body))
  }
  return dir
}

async function run(dir: string, tool: string, job?: string): Promise<Record<string, unknown>> {
  const outdir = path.join(dir, 'out')
  return runCwl(path.join(dir, tool), job && path.join(dir, job), { outdir })
}

const tool = (extra: Record<string, unknown>) => ({
  cwlVersion: 'v1.2',
  class: 'CommandLineTool',
  inputs: {},
  outputs: {},
  ...extra,
})

describe('CWL core', () => {
  it('unescapes backslashes in interpolated strings as the reference runner does', () => {
    assert.equal(evaluate('a \\$(inputs.x) b', noContext), 'a $(inputs.x) b')
    assert.equal(evaluate('\\\\$(inputs.x)', noContext), '\\v')
    assert.equal(evaluate('\\\\\\$(inputs.x) \\n', noContext), '\\$(inputs.x) \\n')
    assert.equal(evaluate('no expression \\\\ here', noContext), 'no expression \\\\ here')
  })

  it('does not wrap a one-item source list unless linkMerge is given', () => {
    assert.equal(merge([1], true, undefined, undefined), 1)
    assert.deepEqual(merge([1], true, 'merge_nested', undefined), [1])
    assert.deepEqual(merge([[1], [2]], true, 'merge_flattened', undefined), [1, 2])
  })

  it('places an unbound record’s fields by position, and binds nothing for a null input', () => {
    const dir = folder({
      't.cwl': tool({
        inputs: {
          rec: {
            type: {
              type: 'record',
              fields: {
                a: { type: 'string', inputBinding: { position: 3 } },
                b: { type: 'string?', inputBinding: { position: 1, valueFrom: 'B' } },
              },
            },
          },
          none: { type: 'string?', inputBinding: { position: 0, valueFrom: 'never' } },
        },
        arguments: [{ position: 2, valueFrom: 'mid' }],
      }),
    })
    const process: Process = loadProcess(path.join(dir, 't.cwl'))
    const words = (rec: Record<string, unknown>) =>
      buildCommandLine(
        process.raw,
        process.inputs,
        { ...noContext, inputs: { rec, none: null } },
        undefined,
      ).map((w) => w.text)
    assert.deepEqual(words({ a: 'A', b: 'x' }), ['B', 'mid', 'A'])
    assert.deepEqual(words({ a: 'A', b: null }), ['mid', 'A'])
  })

  it('lets the input object’s cwl:requirements override the tool’s', async () => {
    const dir = folder({
      't.cwl': tool({
        inputs: { v: 'string' },
        requirements: { EnvVarRequirement: { envDef: { SAY: 'tool' } } },
        baseCommand: ['/bin/sh', '-c', 'echo $SAY'],
        stdout: 'said',
        outputs: {
          out: {
            type: 'string',
            outputBinding: { glob: 'said', loadContents: true, outputEval: '$(self[0].contents)' },
          },
        },
      }),
      'job.json': {
        v: 'job',
        'cwl:requirements': [
          { class: 'EnvVarRequirement', envDef: [{ envName: 'SAY', envValue: '$(inputs.v)' }] },
        ],
      },
    })
    assert.deepEqual(await run(dir, 't.cwl', 'job.json'), { out: 'job\n' })
  })

  it('writes out the File and Directory literals an ExpressionTool returns', async () => {
    const dir = folder({
      'e.cwl': {
        cwlVersion: 'v1.2',
        class: 'ExpressionTool',
        requirements: { InlineJavascriptRequirement: {} },
        inputs: {},
        outputs: { f: 'File', d: 'Directory' },
        expression:
          '${ return {f: {class: "File", basename: "lit", contents: "hi"}, d: {class: "Directory", basename: "dd", listing: [{class: "File", basename: "in", contents: "x"}]}}; }',
      },
    })
    const out = (await run(dir, 'e.cwl')) as Record<string, Record<string, unknown>>
    assert.equal(readFileSync(String(out.f!.path), 'utf8'), 'hi')
    assert.equal(out.f!.checksum, 'sha1$c22b5f9178342609428d6f51b2c5af4c0bde6a42')
    assert.deepEqual(readdirSync(String(out.d!.path)), ['in'])
  })

  it('checks a File’s format against its parameter’s, through the ontology', async () => {
    const dir = folder({
      'o.ttl':
        '@prefix ex: <http://example.com/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\nex:b rdfs:subClassOf ex:a .\nex:c owl:equivalentClass ex:b .\n',
      't.cwl': tool({
        $namespaces: { ex: 'http://example.com/' },
        $schemas: ['o.ttl'],
        inputs: { f: { type: 'File', format: 'ex:a' } },
        baseCommand: 'true',
      }),
      'data.txt': 'x',
      'ok.json': { f: { class: 'File', location: 'data.txt', format: 'ex:c' } },
      'bad.json': { f: { class: 'File', location: 'data.txt', format: 'ex:z' } },
    })
    assert.deepEqual(await run(dir, 't.cwl', 'ok.json'), {})
    await assert.rejects(run(dir, 't.cwl', 'bad.json'), /has format http:\/\/example.com\/z/)
  })

  it('takes secondary files an expression names as objects, and stages them by basename', () => {
    const dir = folder({ 'main.txt': 'm', 'other.idx': 'i' })
    const primary = {
      class: 'File' as const,
      path: path.join(dir, 'main.txt'),
      basename: 'renamed.txt',
    }
    const targets = secondaryTargets(
      [{ class: 'File', location: 'other.idx', basename: 'renamed.txt.idx' }, '.sum?'],
      primary,
    )
    assert.deepEqual(targets, [
      { path: path.join(dir, 'other.idx'), basename: 'renamed.txt.idx', optional: false },
      { path: path.join(dir, 'renamed.txt.sum'), basename: 'renamed.txt.sum', optional: true },
    ])
    const staged = stageRenamed(
      {
        ...primary,
        secondaryFiles: [{ class: 'File', path: targets[0]!.path, basename: targets[0]!.basename }],
      },
      path.join(dir, 'staging'),
    ) as Record<string, unknown>
    const at = path.dirname(String(staged.path))
    assert.deepEqual(readdirSync(at).sort(), ['renamed.txt', 'renamed.txt.idx'])
    assert.equal(readFileSync(path.join(at, 'renamed.txt.idx'), 'utf8'), 'i')
  })

  it('reads a step input’s File in with loadContents', () => {
    const dir = folder({ n: '42' })
    const file = { class: 'File' as const, path: path.join(dir, 'n'), basename: 'n' }
    assert.deepEqual(contentsOf([file]), [{ ...file, contents: '42' }])
  })

  it('evaluates InitialWorkDir listing entries that are expressions', async () => {
    const dir = folder({
      'a.txt': 'a',
      't.cwl': tool({
        inputs: { f: 'File', g: 'File?' },
        requirements: { InitialWorkDirRequirement: { listing: ['$(inputs.f)', '$(inputs.g)'] } },
        baseCommand: ['ls'],
        stdout: 'listed',
        outputs: {
          out: {
            type: 'string',
            outputBinding: {
              glob: 'listed',
              loadContents: true,
              outputEval: '$(self[0].contents)',
            },
          },
        },
      }),
      'job.json': { f: { class: 'File', location: 'a.txt' } },
    })
    assert.deepEqual(await run(dir, 't.cwl', 'job.json'), { out: 'a.txt\nlisted\n' })
  })

  it('treats output secondary files as optional by default and describes files outputEval makes', async () => {
    const dir = folder({
      't.cwl': tool({
        requirements: { InlineJavascriptRequirement: {} },
        baseCommand: ['/bin/sh', '-c', 'echo x > made; echo y > other'],
        outputs: {
          plain: { type: 'File', secondaryFiles: ['.idx'], outputBinding: { glob: 'made' } },
          rec: {
            type: { type: 'record', fields: { f: 'File' } },
            outputBinding: {
              outputEval: '$({f: {class: "File", path: runtime.outdir + "/other"}})',
            },
          },
        },
      }),
    })
    const out = (await run(dir, 't.cwl')) as Record<string, Record<string, unknown>>
    assert.deepEqual(out.plain!.secondaryFiles, [])
    const f = (out.rec as Record<string, Record<string, unknown>>).f!
    assert.equal(f.basename, 'other')
    assert.equal(f.size, 2)
  })

  it('changes a writable staged folder in place only under InplaceUpdateRequirement', async () => {
    const doc = (inplace: boolean) =>
      tool({
        inputs: { d: 'Directory' },
        requirements: {
          InitialWorkDirRequirement: {
            listing: [{ entry: '$(inputs.d)', entryname: 'w', writable: true }],
          },
          InplaceUpdateRequirement: { inplaceUpdate: inplace },
        },
        arguments: ['touch', 'w/new'],
        outputs: { out: { type: 'Directory', outputBinding: { glob: 'w' } } },
      })
    const dir = folder({
      'copy.cwl': doc(false),
      'inplace.cwl': doc(true),
      'job.json': { d: { class: 'Directory', location: 'data' } },
    })
    mkdirSync(path.join(dir, 'data'))
    await run(dir, 'copy.cwl', 'job.json')
    assert.deepEqual(readdirSync(path.join(dir, 'data')), [])
    const out = (await run(dir, 'inplace.cwl', 'job.json')) as Record<
      string,
      Record<string, unknown>
    >
    assert.deepEqual(readdirSync(path.join(dir, 'data')), ['new'])
    assert.deepEqual(
      (out.out!.listing as Array<Record<string, unknown>>).map((e) => e.basename),
      ['new'],
    )
  })

  it('refuses a ToolTimeLimit that is not a whole number of seconds ≥ 0', async () => {
    const dir = folder({
      't.cwl': tool({ requirements: { ToolTimeLimit: { timelimit: -1 } }, baseCommand: 'true' }),
    })
    await assert.rejects(
      run(dir, 't.cwl'),
      (err) => err instanceof CwlError && err.kind === 'invalid',
    )
  })
})
