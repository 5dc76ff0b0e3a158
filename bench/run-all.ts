/**
 * Runs benchmarks: `npm run bench` runs all, `npm run bench -- <name> [options]` one
 * (name = file in bench/ without .ts). Benchmarks are not part of `npm test`.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const [only, ...rest] = process.argv.slice(2)
const all = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .map((f) => f.replace(/\.ts$/, ''))
const selected = only ? [only] : all
let failed = 0
for (const name of selected) {
  if (!all.includes(name)) {
    console.error(`no benchmark '${name}'; have: ${all.join(', ')}`)
    process.exit(2)
  }
  console.log(`\n## ${name}`)
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', `bench/${name}.ts`, ...(only ? rest : [])],
    { stdio: 'inherit' },
  )
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
