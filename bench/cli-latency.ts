/**
 * How long `continuum` takes to answer, side by side with the floor: `node -e ''`, a Node
 * process that loads nothing. Measures `--help`, `catalog infra ls --json` against a running
 * demo server, and `continuum demo` until it is ready on an existing home (second start).
 * Runs the compiled build (rebuilt first if stale) and, for comparison, the sources through
 * tsx (CONTINUUM_FROM_SOURCE=1).
 *   node --import tsx bench/cli-latency.ts [runs=15]
 * Targets (issue 17): --help ≤ 150 ms, ls ≤ 400 ms, demo ready ≤ 2 s.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deviceLogin } from '../src/client/index.js'

const runs = Number(process.argv[2] ?? 15)
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin/continuum.js')

spawnSync(process.execPath, [path.join(root, 'scripts/build.js'), '--if-stale'], {
  stdio: 'inherit',
})

function wall(args: string[], env: Record<string, string> = {}): number {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, CONTINUUM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${String(r.stderr)}`)
  return ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

/** Medians over `runs`, the cases interleaved so load on the machine hits each alike. */
function measure(cases: Record<string, () => number>, n = runs): Record<string, number> {
  const times: Record<string, number[]> = {}
  for (let i = 0; i < n; i++) {
    for (const [name, run] of Object.entries(cases)) (times[name] ??= []).push(run())
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
}

interface Demo {
  url: string
  readyMs: number
  stop: () => Promise<void>
}

function startDemo(home: string, env: Record<string, string> = {}): Promise<Demo> {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, [bin, 'demo', '--port', '0'], {
    env: { ...process.env, CONTINUUM_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /running at (http:\/\/\S+)/.exec(out)
      if (!m?.[1]) return
      child.stdout.off('data', onData)
      resolve({
        url: m[1],
        readyMs: Number(process.hrtime.bigint() - started) / 1e6,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit')
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)))
  })
}

async function adminToken(url: string): Promise<string> {
  let approval: Promise<unknown> = Promise.resolve()
  const token = await deviceLogin({
    issuer: url,
    clientId: 'continuum-cli',
    prompt: (authorization) => {
      approval = fetch(`${url}/auth/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user_code: authorization.user_code, user: 'admin' }).toString(),
      })
    },
    wait: async () => {
      await approval
    },
  })
  return token.access_token
}

const fromSource = { CONTINUUM_FROM_SOURCE: '1' }
const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-latency-'))
try {
  // First start loads the landscape; the measured starts find it there.
  await (await startDemo(home)).stop()
  const readies: number[] = []
  for (let i = 0; i < 3; i++) {
    const d = await startDemo(home)
    readies.push(d.readyMs)
    await d.stop()
  }
  const sourceDemo = await startDemo(home, fromSource)
  await sourceDemo.stop()
  const demo = await startDemo(home)
  try {
    const env = { CONTINUUM_SERVER: demo.url, CONTINUUM_TOKEN: await adminToken(demo.url) }
    const ls = [bin, 'catalog', 'infra', 'ls', '--json']
    const m = measure({
      floor: () => wall(['-e', '']),
      help: () => wall([bin, '--help']),
      ls: () => wall(ls, env),
      helpSource: () => wall([bin, '--help'], fromSource),
      lsSource: () => wall(ls, { ...env, ...fromSource }),
    })
    const floor = m.floor ?? NaN
    const row = (what: string, ms: number, target: string) =>
      `| ${what} | ${ms.toFixed(0)} ms | ${(ms / floor).toFixed(1)}× | ${target} |`
    const demoMs = median(readies)
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, median of ${runs} runs`)
    console.log('| command | wall | × floor | target |\n| --- | --- | --- | --- |')
    console.log(row("node -e '' (floor)", floor, ''))
    console.log(row('continuum --help (dist)', m.help ?? NaN, '≤ 150 ms'))
    console.log(row('continuum catalog infra ls --json (dist)', m.ls ?? NaN, '≤ 400 ms'))
    console.log(row('continuum demo, ready on an existing home (dist)', demoMs, '≤ 2,000 ms'))
    console.log(row('continuum --help (src via tsx)', m.helpSource ?? NaN, ''))
    console.log(row('continuum catalog infra ls --json (src via tsx)', m.lsSource ?? NaN, ''))
    console.log(row('continuum demo, ready (src via tsx)', sourceDemo.readyMs, ''))
  } finally {
    await demo.stop()
  }
} finally {
  rmSync(home, { recursive: true, force: true })
}
