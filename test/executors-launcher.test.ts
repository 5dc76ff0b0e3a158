/**
 * The local launcher outlives its worker: when the worker is killed its reply pipe closes
 * (EPIPE on the next write), and the launcher must keep starting the jobs it was given instead
 * of dying on an unhandled error.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'

const launcher = fileURLToPath(new URL('../src/executors/launcher.js', import.meta.url))

it('keeps running jobs after the worker stops reading its replies', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-launcher-'))
  const child = spawn(process.execPath, [launcher, '1', '64'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  // The worker is gone: nobody reads the replies any more.
  child.stdout.destroy()
  const run = (id: string, file: string) =>
    child.stdin.write(
      `${JSON.stringify({
        op: 'run',
        id,
        dir: path.join(root, id),
        argv: ['/bin/sh', '-c', `echo ran > ${file}`],
        cwd: root,
        env: {},
        cores: 1,
        memoryMb: 1,
      })}\n`,
    )
  const files = [0, 1, 2].map((i) => path.join(root, `out-${i}`))
  files.forEach((f, i) => run(`job-${i}`, f))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  // Each reply now fails with EPIPE; the three jobs still run one after the other.
  for (const f of files) {
    while (!existsSync(f) || readFileSync(f, 'utf8') !== 'ran\n') {
      assert.equal(child.exitCode, null, `the launcher died: ${stderr}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  child.stdin.end()
  assert.equal(await exited, 0, stderr)
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|Error/)
})
