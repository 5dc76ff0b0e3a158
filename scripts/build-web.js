#!/usr/bin/env node
// Builds the web dashboard (web/ → web/dist) with Vite. Runs at `npm install` (prepare), before
// `npm start`, and from the browser tests. `--if-stale` builds only when a source the bundle is
// made from (web/, src/client, src/contract, src/platform, examples/) is newer than the bundle.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const web = path.join(root, 'web')
const bundle = path.join(web, 'dist', 'index.html')
const sources = ['web', 'src/client', 'src/contract', 'src/platform', 'examples']

function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue
    const full = path.join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs)
  }
  return latest
}

function isStale() {
  let built
  try {
    built = statSync(bundle).mtimeMs
  } catch {
    return true
  }
  return sources.some((s) => newest(path.join(root, s)) > built)
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)

let vite
try {
  vite = await import('vite')
} catch {
  // A production install without dev dependencies: the server answers `/` with a hint instead.
  console.warn('build-web: vite is not installed (dev dependency); the dashboard is not built')
  process.exit(0)
}
const started = Date.now()
await vite.build({ root: web, logLevel: 'warn', configFile: path.join(web, 'vite.config.ts') })
console.log(`build-web: web/dist built in ${Date.now() - started} ms`)
