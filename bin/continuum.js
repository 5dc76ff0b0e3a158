#!/usr/bin/env node
// The `continuum` command. It runs the compiled sources in dist/ (built by `npm install`, see
// scripts/build.js) when they match src/; otherwise — a fresh edit, no build yet — it runs the
// sources through tsx, so a change is always seen, and says so on a terminal. A stale build is
// never used. CONTINUUM_FROM_SOURCE=1 forces the sources.
import { buildState } from '../scripts/build-state.js'

// Node's I/O thread pool (file-system calls, DNS, zlib) is 4 threads by default; storage work on
// POSIX endpoints is spread over lanes that each may take a quarter of it (see
// src/transfers/protocols/file-lanes.ts). Set before anything has used the pool.
process.env.UV_THREADPOOL_SIZE ??= '32'

const state = process.env.CONTINUUM_FROM_SOURCE === '1' ? 'skipped' : buildState()
if (state === 'fresh') {
  await import('../dist/cli/main.js')
} else {
  if (state === 'stale' && process.stderr.isTTY) {
    process.stderr.write(
      'continuum: src/ changed since the last build; running from source (npm run build to speed up)\n',
    )
  }
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
