#!/usr/bin/env node
// Compiles src/ to JavaScript in dist/ (one .js per .ts, same layout, so paths built from
// import.meta.url — ../../package.json, ../../data, ../../../web/dist — resolve the same from
// both). Runs at `npm install`/`npm ci` (prepare), before `npm start` and `npm test`
// (--if-stale). bin/continuum.js runs dist/ when it matches the sources, tsx on src/ otherwise.
// The new build is written beside dist/ and swapped in, so a running `continuum` never reads a
// half-written tree.
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
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
  await vendor(next)
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

/**
 * Pure-ESM dependencies made of many small modules are bundled into one file each
 * (dist/vendor/<name>.js) and dist/ imports those instead: Node then reads, compiles and links
 * one module rather than hundreds (kysely 263, TypeBox 373, jose 46), which was a third of a
 * server's import time. The value: whether the package has a default export. Only dist/ uses
 * them; the sources and the tests import the packages themselves.
 */
async function vendor(out) {
  const packages = { kysely: false, typebox: true, jose: false }
  for (const [name, hasDefault] of Object.entries(packages)) {
    await esbuild.build({
      stdin: {
        contents: `export * from '${name}'${hasDefault ? `\nexport { default } from '${name}'` : ''}`,
        resolveDir: root,
        loader: 'js',
      },
      outfile: path.join(out, 'vendor', `${name}.js`),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    })
  }
  const specifier = new RegExp(
    `(from\\s*|import\\s*\\(\\s*)"(${Object.keys(packages).join('|')})"`,
    'g',
  )
  for (const file of listFiles(out).filter((f) => f.endsWith('.js') && !f.includes('/vendor/'))) {
    const text = readFileSync(file, 'utf8')
    const rewritten = text.replace(specifier, (_, head, name) => {
      const target = path.relative(path.dirname(file), path.join(out, 'vendor', `${name}.js`))
      return `${head}"${target.startsWith('.') ? target : `./${target}`}"`
    })
    if (rewritten !== text) writeFileSync(file, rewritten)
  }
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
}
