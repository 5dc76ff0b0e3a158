import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ContinuumError } from '../platform/index.js'
import { parseDefinition, type DefinitionError } from './definition.js'
import { expandWorkflow, type WorkflowPlan } from './expand.js'

function plan(text: string, parameters?: Record<string, string>): WorkflowPlan {
  const { document, source } = parseDefinition(text, 'wf.yaml')
  return expandWorkflow(document, source, parameters ? { parameters } : {})
}

function errorsOf(text: string): DefinitionError[] {
  try {
    plan(text)
  } catch (err) {
    assert.ok(err instanceof ContinuumError)
    assert.equal(err.code, 'WORKFLOW_INVALID')
    return err.details.errors as DefinitionError[]
  }
  assert.fail('expected WORKFLOW_INVALID')
}

describe('workflow definitions', () => {
  it('expands scatter, substitutes parameters and items, and infers data dependencies', () => {
    const p = plan(
      `name: demo
parameters:
  greeting: hello
  samples: [a, b, c]
defaults:
  retries: 2
  resources: { cores: 1, memory: 256MB, walltime: 10m }
tasks:
  - name: prepare
    command: [sh, -c, 'echo \${{ params.greeting }} > prep.txt']
    outputs: [prep.txt]
  - name: work
    scatter: { param: samples }
    inputs: [prep.txt]
    command: [echo, '\${{ item }}', '\${{ index }}']
    outputs: ['out-\${{ item }}.txt']
    resources: { memory: 1GiB }
  - name: gather
    needs: [work]
    script: cat out-*.txt > all.txt
`,
      { greeting: 'bonjour' },
    )
    assert.deepEqual(
      p.tasks.map((t) => t.name),
      ['prepare', 'work[0]', 'work[1]', 'work[2]', 'gather'],
    )
    assert.deepEqual(p.tasks[0]?.argv, ['sh', '-c', 'echo bonjour > prep.txt'])
    assert.deepEqual(p.tasks[2]?.argv, ['echo', 'b', '1'])
    assert.deepEqual(p.tasks[2]?.needs, ['prepare'], 'data-implied dependency')
    assert.deepEqual(
      p.tasks[4]?.needs,
      ['work[0]', 'work[1]', 'work[2]'],
      'needing a scatter means all of it',
    )
    assert.equal(p.tasks[1]?.resources.memoryMb, 1024)
    assert.equal(p.tasks[1]?.resources.walltimeS, 600, 'defaults apply where the task is silent')
    assert.equal(p.tasks[4]?.retries, 2)
    assert.deepEqual(p.tasks[4]?.argv, ['/bin/sh', '-ec', 'cat out-*.txt > all.txt'])
  })

  it('reports schema errors with file, line, column and path', () => {
    const errors = errorsOf(`name: demo
tasks:
  - name: a
    command: [true]
    resources: { cores: zero }
    colour: blue
`)
    const fields = errors.map((e) => e.field)
    assert.ok(
      fields.some((f) => f.startsWith('wf.yaml:5:') && f.endsWith('tasks[0].resources.cores')),
      fields.join(' | '),
    )
    assert.ok(
      fields.some((f) => f.startsWith('wf.yaml:6:') && f.endsWith('tasks[0].colour')),
      fields.join(' | '),
    )
    const unknown = errors.find((e) => e.path === 'tasks[0].colour')
    assert.equal(unknown?.message, 'unknown field')
  })

  it('rejects dangling needs, unknown parameters and duplicate names with their lines', () => {
    const errors = errorsOf(`name: demo
tasks:
  - name: a
    command: [echo, '\${{ params.nope }}']
  - name: b
    needs: [a, ghost]
    command: [true]
  - name: b
    command: [true]
`)
    const byPath = new Map(errors.map((e) => [e.path, e]))
    assert.equal(byPath.get('tasks[1].needs[1]')?.line, 6)
    assert.match(byPath.get('tasks[1].needs[1]')?.message ?? '', /'ghost' does not exist/)
    assert.match(
      byPath.get('tasks[0].command[1]')?.message ?? '',
      /parameter 'nope' is not declared/,
    )
    assert.match(byPath.get('tasks[2].name')?.message ?? '', /used twice/)
  })

  it('rejects cycles, naming the loop', () => {
    const errors = errorsOf(`name: demo
tasks:
  - { name: a, needs: [c], command: [true] }
  - { name: b, needs: [a], command: [true] }
  - { name: c, needs: [b], command: [true] }
  - { name: d, command: [true] }
`)
    assert.equal(errors.length, 1)
    assert.match(errors[0]?.message ?? '', /dependency cycle: (\w -> ){3}\w/)
  })

  it('rejects a cycle made by data (a task reading what its dependant writes)', () => {
    const errors = errorsOf(`name: demo
tasks:
  - { name: a, inputs: [y], outputs: [x], command: [true] }
  - { name: b, inputs: [x], outputs: [y], command: [true] }
`)
    assert.match(errors[0]?.message ?? '', /cycle/)
  })

  it('reports YAML syntax errors with their position, and refuses non-mappings', () => {
    const errors = errorsOf('name: demo\ntasks:\n  - name: a\n   command: [true\n')
    assert.ok(errors[0]?.line !== null && (errors[0]?.line ?? 0) >= 3, JSON.stringify(errors))
    assert.match(errorsOf('- just\n- a list\n')[0]?.message ?? '', /mapping/)
    assert.match(errorsOf('name: a\nname: b\ntasks: []\n')[0]?.message ?? '', /YAML/)
  })

  it('requires exactly one of command or script, and checks units and overrides', () => {
    assert.match(errorsOf('name: d\ntasks:\n  - { name: a }\n')[0]?.message ?? '', /exactly one/)
    assert.match(
      errorsOf('name: d\ntasks:\n  - { name: a, command: [x], resources: { memory: lots } }\n')[0]
        ?.message ?? '',
      /memory size/,
    )
    assert.throws(
      () =>
        plan('name: d\nparameters: { n: 3 }\ntasks:\n  - { name: a, command: [x] }\n', {
          n: 'three',
        }),
      /must be a number/,
    )
    assert.throws(
      () => plan('name: d\ntasks:\n  - { name: a, command: [x] }\n', { other: '1' }),
      /not declared/,
    )
  })

  it('refuses templates that use item outside a scatter and empty scatters', () => {
    assert.match(
      errorsOf("name: d\ntasks:\n  - { name: a, command: [echo, '${{ item }}'] }\n")[0]?.message ??
        '',
      /only defined in a task with scatter/,
    )
    assert.match(
      errorsOf(
        'name: d\nparameters: { xs: [] }\ntasks:\n  - { name: a, scatter: { param: xs }, command: [x] }\n',
      )[0]?.message ?? '',
      /empty/,
    )
  })

  it('expands a 10,000-task scatter with a fan-in quickly', () => {
    const started = performance.now()
    const p = plan(
      'name: big\ntasks:\n  - { name: a, scatter: { range: 10000 }, command: [true] }\n  - { name: z, needs: [a], command: [true] }\n',
    )
    assert.equal(p.tasks.length, 10001)
    assert.equal(p.tasks[10000]?.needs.length, 10000)
    assert.ok(performance.now() - started < 2000)
  })
})

describe('shipped examples', () => {
  it('parse and expand', async () => {
    const { readFileSync } = await import('node:fs')
    for (const [file, count] of [
      ['examples/hello.yaml', 4],
      ['examples/two-sites.yaml', 10],
    ] as const) {
      const { document, source } = parseDefinition(readFileSync(file, 'utf8'), file)
      assert.equal(expandWorkflow(document, source).tasks.length, count, file)
    }
  })
})
