/**
 * Nested CWL workflows on the engine (issue 19): a step that runs a Workflow is flattened into
 * its inner tools' tasks at submission — once per element when it scatters over the
 * workflow's inputs (`per_word[0]/say`), at any depth, `when` on the outer step, sources
 * crossing the boundary both ways — each placed on a site and run confined like any task, and
 * the output object is the embedded runner's. What cannot be flattened is refused, naming the
 * step. Both backends.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import { runCwl } from '../src/cwl/index.js'
import { systemClock } from '../src/platform/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite, runUntilFinished, tempDir } from './support/workflows.js'

const main = `cwlVersion: v1.2
class: Workflow
requirements:
  SubworkflowFeatureRequirement: {}
  ScatterFeatureRequirement: {}
  InlineJavascriptRequirement: {}
  StepInputExpressionRequirement: {}
inputs:
  words: string[]
  tag: string
outputs:
  lengths: {type: 'int[]', outputSource: per_word/size}
  marks: {type: {type: array, items: {type: array, items: string}}, outputSource: per_word/marks}
  all: {type: File, outputSource: join/out}
  report: {type: File, outputSource: deep/report}
  skipped: {type: 'File?', outputSource: maybe/report}
  early: {type: 'File?', outputSource: early/said}
steps:
  per_word:
    run: word.cwl
    scatter: word
    in:
      word: words
      tag: {source: tag, valueFrom: $(self.toUpperCase())}
    out: [said, size, marks]
  join:
    run: tools/cat.cwl
    in: {files: per_word/said}
    out: [out]
  deep:
    run: deep.cwl
    when: $(inputs.lengths.length > 0)
    in: {all: join/out, lengths: per_word/size}
    out: [report]
  maybe:
    run: deep.cwl
    when: $(inputs.lengths.length > 5)
    in: {all: join/out, lengths: per_word/size}
    out: [report]
  early:
    run: word.cwl
    when: $(inputs.word == "zzz")
    in:
      word: {source: words, valueFrom: "$(self[0])"}
      tag: tag
    out: [said]
`

const word = `cwlVersion: v1.2
class: Workflow
inputs:
  word: string
  tag: string
  marks: {type: 'string[]', default: [m1, m2]}
outputs:
  said: {type: File, outputSource: say/out}
  size: {type: int, outputSource: count/n}
  marks: {type: 'string[]', outputSource: mark/text}
steps:
  say:
    run:
      class: CommandLineTool
      baseCommand: [sh, -c, 'echo "$0-$1"']
      inputs:
        word: {type: string, inputBinding: {position: 1}}
        tag: {type: string, inputBinding: {position: 2}}
      stdout: said.txt
      outputs: {out: stdout}
    in: {word: word, tag: tag}
    out: [out]
  count:
    run:
      class: CommandLineTool
      baseCommand: [wc, -c]
      inputs:
        file: {type: File, inputBinding: {position: 1}}
      stdout: n.txt
      outputs:
        n: {type: int, outputBinding: {glob: n.txt, loadContents: true, outputEval: '$(parseInt(self[0].contents))'}}
    in: {file: say/out}
    out: [n]
  mark:
    run:
      class: CommandLineTool
      baseCommand: echo
      inputs:
        m: {type: string, inputBinding: {position: 2}}
        w: {type: string, inputBinding: {position: 1}}
      stdout: m.txt
      outputs:
        text: {type: string, outputBinding: {glob: m.txt, loadContents: true, outputEval: '$(self[0].contents.trim())'}}
    scatter: m
    in: {m: marks, w: word}
    out: [text]
`

const deep = `cwlVersion: v1.2
class: Workflow
inputs:
  all: File
  lengths: 'int[]'
outputs:
  report: {type: File, outputSource: summary/report}
steps:
  nums:
    run:
      class: Workflow
      inputs: {n: 'int[]'}
      outputs: {doubled: {type: 'int[]', outputSource: double/out}}
      steps:
        double:
          run:
            class: ExpressionTool
            inputs: {x: int}
            outputs: {out: int}
            expression: '$({out: inputs.x * 2})'
          scatter: x
          in: {x: n}
          out: [out]
    in: {n: lengths}
    out: [doubled]
  summary:
    run:
      class: CommandLineTool
      baseCommand: [sh, -c, 'cat "$0"; echo "$@"']
      inputs:
        all: {type: File, inputBinding: {position: 1}}
        nums: {type: 'int[]', inputBinding: {position: 2}}
      stdout: report.txt
      outputs: {report: stdout}
    in: {all: all, nums: nums/doubled}
    out: [report]
`

const cat = `cwlVersion: v1.2
class: CommandLineTool
baseCommand: cat
inputs:
  files: {type: 'File[]', inputBinding: {position: 1}}
stdout: all.txt
outputs: {out: stdout}
`

const job = 'words: [a, bb, ccc]\ntag: x\n'
const bundle: Record<string, string> = {
  'main.cwl': main,
  'word.cwl': word,
  'deep.cwl': deep,
  'tools/cat.cwl': cat,
}
const files = (b: Record<string, string>) =>
  Object.entries(b).map(([p, text]) => ({ path: p, content: Buffer.from(text).toString('base64') }))

/** An output object with each File reduced to what both runners agree on: name and content. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable)
  if (value === null || typeof value !== 'object') return value
  const o = value as Record<string, unknown>
  if (o.class === 'File') {
    return { class: 'File', basename: o.basename, checksum: o.checksum, size: o.size }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, comparable(v)]))
}

describeEachBackend('nested CWL workflows on the engine', (fixture) => {
  let server: TestServer
  let client: ContinuumClient
  let site: string
  before(async () => {
    server = await startTestServer(fixture().database)
    client = server.client
    site = (await makeLocalSite(fixture().ctx)).name
  })
  after(() => server.close())

  const run = async (id: string) => {
    const ctx = { ...fixture().ctx, clock: systemClock }
    return runUntilFinished(ctx, [new WorkflowEngine(ctx, { workerId: 'cwl-nested' })], id)
  }

  it('flattens nested workflows into placed tasks and gives the embedded runner’s output object', async () => {
    const wf = await client.workflows.submit({
      source: main,
      filename: 'main.cwl',
      files: files(bundle),
      cwlJob: job,
    })
    const end = await run(wf.id)
    const tasks = (await client.workflows.tasks(wf.id, { limit: 500 })).items
    const why = tasks.filter((t) => t.state !== 'done').map((t) => `${t.name}: ${t.reason}`)
    assert.equal(end.state, 'succeeded', why.join('\n'))
    const perWord = (k: number) => [
      `per_word[${k}]/count`,
      `per_word[${k}]/mark[0]`,
      `per_word[${k}]/mark[1]`,
      `per_word[${k}]/say`,
    ]
    // The scatter over the workflow's words: one scope per word, its inner scatter over the
    // scope's known input one task per element. `deep` and `maybe` read upstream outputs: their
    // inner scatter is one task, which fans out into one per element at dispatch (3 tasks added
    // to the 20 planned), and `maybe`'s tasks run nothing (its `when` is false).
    // `early`'s `when` reads only the workflow's inputs: false already, it has no task.
    assert.deepEqual(tasks.map((t) => t.name).sort(), [
      'deep/nums/double',
      'deep/nums/double[0]',
      'deep/nums/double[1]',
      'deep/nums/double[2]',
      'deep/summary',
      'join',
      'maybe/nums/double',
      'maybe/summary',
      ...perWord(0),
      ...perWord(1),
      ...perWord(2),
    ])
    assert.equal(wf.taskCount, tasks.length - 3)
    for (const t of tasks) {
      assert.equal(t.state, 'done', `${t.name}: ${t.reason}`)
      assert.equal(t.site, site, `${t.name} was placed by the broker`)
    }
    const { output } = await client.workflows.cwlOutput(wf.id)
    const text = async (f: unknown) =>
      Buffer.from(
        (await client.workflows.file(wf.id, (f as { path: string }).path)).content,
        'base64',
      ).toString()
    assert.deepEqual(output.lengths, [4, 5, 6])
    assert.deepEqual(output.marks, [
      ['a m1', 'a m2'],
      ['bb m1', 'bb m2'],
      ['ccc m1', 'ccc m2'],
    ])
    assert.equal(await text(output.all), 'a-X\nbb-X\nccc-X\n')
    assert.equal(await text(output.report), 'a-X\nbb-X\nccc-X\n8 10 12\n')
    assert.equal(output.skipped, null)
    assert.equal(output.early, null)

    // The embedded runner, on the same documents: the same output object.
    const dir = tempDir('continuum-cwl-nested-')
    for (const [p, body] of Object.entries({ ...bundle, 'job.yml': job })) {
      mkdirSync(path.dirname(path.join(dir, p)), { recursive: true })
      writeFileSync(path.join(dir, p), body)
    }
    const embedded = await runCwl(path.join(dir, 'main.cwl'), path.join(dir, 'job.yml'), {
      outdir: path.join(dir, 'out'),
    })
    assert.deepEqual(comparable(output), comparable(embedded))
  })

  it('fans a scatter over upstream outputs out into one task per element; one failing cancels what reads it', async () => {
    const doc = `cwlVersion: v1.2
class: Workflow
requirements: {ScatterFeatureRequirement: {}, InlineJavascriptRequirement: {}}
inputs: {n: int, bad: int}
outputs: {total: {type: int, outputSource: sum/total}}
steps:
  list:
    run:
      class: ExpressionTool
      inputs: {n: int}
      outputs: {xs: 'int[]'}
      expression: '$({xs: Array.from({length: inputs.n}, function (_, i) { return i })})'
    in: {n: n}
    out: [xs]
  check:
    run:
      class: CommandLineTool
      baseCommand: [sh, -c, 'test "$0" != "$1" && echo $0']
      inputs:
        x: {type: int, inputBinding: {position: 1}}
        bad: {type: int, inputBinding: {position: 2}}
      stdout: x.txt
      outputs:
        y: {type: int, outputBinding: {glob: x.txt, loadContents: true, outputEval: '$(parseInt(self[0].contents))'}}
    scatter: x
    in: {x: list/xs, bad: bad}
    out: [y]
  sum:
    run:
      class: ExpressionTool
      inputs: {ys: 'int[]'}
      outputs: {total: int}
      expression: '$({total: inputs.ys.reduce(function (a, b) { return a + b }, 0)})'
    in: {ys: check/y}
    out: [total]
`
    const names = async (id: string) =>
      (await client.workflows.tasks(id, { limit: 500 })).items
        .map((t) => `${t.name} ${t.state}`)
        .sort()
    const ok = await client.workflows.submit({
      source: doc,
      filename: 'fan.cwl',
      cwlJob: 'n: 4\nbad: -1\n',
    })
    assert.equal(ok.taskCount, 3)
    assert.equal((await run(ok.id)).state, 'succeeded')
    assert.deepEqual(await names(ok.id), [
      'check done',
      'check[0] done',
      'check[1] done',
      'check[2] done',
      'check[3] done',
      'list done',
      'sum done',
    ])
    assert.deepEqual((await client.workflows.cwlOutput(ok.id)).output, { total: 6 })
    const failing = await client.workflows.submit({
      source: doc,
      filename: 'fan.cwl',
      cwlJob: 'n: 4\nbad: 2\n',
    })
    assert.equal((await run(failing.id)).state, 'failed')
    assert.deepEqual(await names(failing.id), [
      'check done',
      'check[0] done',
      'check[1] done',
      'check[2] failed',
      'check[3] done',
      'list done',
      'sum cancelled',
    ])
  })

  it('refuses what it cannot flatten, naming the step', async () => {
    const scatterOverUpstream = `cwlVersion: v1.2
class: Workflow
requirements:
  SubworkflowFeatureRequirement: {}
  ScatterFeatureRequirement: {}
inputs: {words: 'string[]', tag: string}
outputs: {}
steps:
  first:
    run: tools/words.cwl
    in: {words: words}
    out: [out]
  per_word:
    run: word.cwl
    scatter: word
    in: {word: first/out, tag: tag}
    out: [said]
`
    const words = `cwlVersion: v1.2
class: ExpressionTool
requirements: {InlineJavascriptRequirement: {}}
inputs: {words: 'string[]'}
outputs: {out: 'string[]'}
expression: '$({out: inputs.words})'
`
    const err = await rejectsWith(
      client.workflows.submit({
        source: scatterOverUpstream,
        filename: 'main.cwl',
        files: files({ 'word.cwl': word, 'tools/words.cwl': words }),
        cwlJob: job,
      }),
      'CWL_UNSUPPORTED',
    )
    assert.match(err.message, /step per_word scatters a nested workflow/)
    const deepRequirement = await rejectsWith(
      client.workflows.submit({
        source: main,
        filename: 'main.cwl',
        files: files({
          ...bundle,
          'deep.cwl': deep.replace(
            'class: Workflow\n      inputs',
            'class: Workflow\n      requirements: {SoftwareRequirement: {packages: []}}\n      inputs',
          ),
        }),
        cwlJob: job,
      }),
      'CWL_UNSUPPORTED',
    )
    assert.match(deepRequirement.message, /step deep\/nums: requirement SoftwareRequirement/)
  })
})
