#!/usr/bin/env node
// Runs the test suite with node's test runner: unit tests beside the code (src/**/*.test.ts)
// and integration tests (test/**/*.test.ts), which run on PGlite and on PostgreSQL.
//   --unit                 unit tests only
//   --backend pglite|postgres   integration tests on one backend only
//   any other arguments    test files to run instead of the whole suite
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const args = process.argv.slice(2)
const env = { ...process.env }
let unitOnly = false
const files = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--unit') unitOnly = true
  else if (args[i] === '--backend') env.DB_BACKEND = args[++i]
  else files.push(args[i])
}

function collect(dir) {
  let out = []
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) out = out.concat(collect(full))
    else if (entry.endsWith('.test.ts')) out.push(full)
  }
  return out
}

if (files.length === 0) {
  files.push(...collect('src'))
  if (!unitOnly) files.push(...collect('test'))
}
files.sort()

// Tests spawn `continuum` (bin/continuum.js), which runs dist/ only when it matches src/:
// rebuilding a stale build here keeps those runs on compiled code.
spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { stdio: 'inherit' })

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=3',
    // A file's whole run: generous, since CLI-heavy files slow down a lot on a loaded 2-core machine.
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env },
)
process.exit(result.status ?? 1)
