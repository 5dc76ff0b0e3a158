#!/usr/bin/env node
// Compiles src/ to JavaScript in dist/ (one .js per .ts, same layout, so paths built from
// import.meta.url — ../../package.json, ../../data, ../../../web/dist — resolve the same from
// both). Runs at `npm install`/`npm ci` (prepare), before `npm start` and `npm test`
// (--if-stale). bin/continuum.js runs dist/ when it matches the sources, tsx on src/ otherwise.
// The new build is written beside dist/ and swapped in, so a running `continuum` never reads a
// half-written tree.
import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  buildState,
  distDir,
  listSources,
  root,
  sourceSignature,
  stampFile,
} from './build-state.js'

if (process.argv.includes('--if-stale') && buildState() === 'fresh') process.exit(0)

const started = Date.now()
const signature = sourceSignature()
const src = path.join(root, 'src')
const next = path.join(root, `.dist-next-${process.pid}`)
const old = path.join(root, `.dist-old-${process.pid}`)
const esbuild = await import('esbuild')
try {
  const sources = listSources()
  await esbuild.build({
    entryPoints: sources.filter((f) => f.endsWith('.ts')),
    outdir: next,
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  // Files read at run time beside the code: migrations, the local executor's launcher.
  for (const file of sources.filter((f) => !f.endsWith('.ts'))) {
    const to = path.join(next, path.relative(src, file))
    mkdirSync(path.dirname(to), { recursive: true })
    cpSync(file, to)
  }
  writeFileSync(
    path.join(next, path.relative(distDir, stampFile)),
    `${JSON.stringify({ signature, builtAt: new Date().toISOString() })}\n`,
  )
  rmSync(old, { recursive: true, force: true })
  try {
    renameSync(distDir, old)
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
  }
  renameSync(next, distDir)
  rmSync(old, { recursive: true, force: true })
} finally {
  rmSync(next, { recursive: true, force: true })
}
console.log(`build: src/ compiled to dist/ in ${Date.now() - started} ms`)
