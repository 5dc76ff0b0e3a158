/**
 * The lint rules that hold the architecture catch what they are for: an import cycle written
 * with `.js` specifiers between `.ts` files, and an import that docs/architecture.md's "may
 * import" table forbids. Runs ESLint's Node API with the repository's own eslint.config.js.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
// @ts-expect-error: the lint configuration is plain JavaScript
import { mayImport as mayImportJs } from '../eslint.config.js'

const mayImport = mayImportJs as Record<string, string[] | '*'>

const root = path.resolve(import.meta.dirname, '..')
// The probe files are not in the TypeScript project: lint them without type information.
const untyped = { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }

function ruleIds(results: ESLint.LintResult[]): string[] {
  return results.flatMap((r) => r.messages.map((m) => m.ruleId ?? m.message))
}

describe('lint boundaries', () => {
  let eslint: ESLint
  const probe = path.join(root, 'test', `.lint-probe-${process.pid}`)
  before(() => {
    eslint = new ESLint({ cwd: root, overrideConfig: untyped })
    mkdirSync(probe, { recursive: true })
    writeFileSync(
      path.join(probe, 'first.ts'),
      "import { second } from './second.js'\n\nexport const first = (): number => second() + 1\n",
    )
    writeFileSync(
      path.join(probe, 'second.ts'),
      "import { first } from './first.js'\n\nexport const second = (): number => first() - 1\n",
    )
  })
  after(() => rmSync(probe, { recursive: true, force: true }))

  it('finds a cycle between two files that import each other as .js', async () => {
    const results = await eslint.lintFiles([path.join(probe, 'first.ts')])
    assert.deepEqual(ruleIds(results), ['import-x/no-cycle'])
  })

  it('refuses an import the architecture forbids: executors → data', async () => {
    const code = "import { addRule } from '../data/index.js'\n\nexport const rule = addRule\n"
    const results = await eslint.lintText(code, {
      filePath: path.join(root, 'src/executors/probe.ts'),
    })
    const messages = results.flatMap((r) => r.messages)
    assert.deepEqual(
      messages.map((m) => m.ruleId),
      ['import-x/no-restricted-paths'],
    )
    assert.match(messages[0]?.message ?? '', /src\/executors\/ may import only platform/)
  })

  it('allows what the table allows: workflows → executors, cli → client', async () => {
    const workflows = await eslint.lintText(
      "import { type Executor } from '../executors/index.js'\n\nexport type E = Executor\n",
      { filePath: path.join(root, 'src/workflows/probe.ts') },
    )
    assert.deepEqual(ruleIds(workflows), [])
    const cli = await eslint.lintText(
      "import { ContinuumClient } from '../client/index.js'\n\nexport const C = ContinuumClient\n",
      { filePath: path.join(root, 'src/cli/probe.ts') },
    )
    assert.deepEqual(ruleIds(cli), [])
  })

  it('holds the same "may import" table as docs/architecture.md', () => {
    const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8')
    const folders = Object.keys(mayImport)
    for (const folder of folders) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`src/${folder}/\` |`))
      assert.ok(row, `docs/architecture.md has a row for src/${folder}/`)
      const cell = row.split(' | ').at(-1) ?? ''
      const documented = /every domain/.test(cell)
        ? '*'
        : folders.filter((f) => new RegExp(`\\b${f}\\b`).test(cell)).sort()
      const linted = mayImport[folder] ?? []
      assert.deepEqual(documented, linted === '*' ? '*' : [...linted].sort(), `src/${folder}/`)
    }
  })
})
