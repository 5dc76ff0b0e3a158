/**
 * API overhead: requests/s of Continuum's `GET /catalog/infrastructures/:id` (schema
 * validation, request ids, logging, error handling, database) against a bare Fastify route
 * returning the same JSON, side by side, with autocannon over loopback.
 * Target: Continuum ≥ 70 % of bare Fastify.
 * Each side runs `--runs` times in alternating order; medians are compared.
 *   npm run bench -- api-overhead [--seconds 5] [--runs 3] [--connections 10] [--db postgres://…]
 */
import os from 'node:os'
import autocannon from 'autocannon'
// @ts-expect-error: a plain JavaScript module (bin/ imports it before anything is compiled)
import { buildState as untypedBuildState } from '../scripts/build-state.js'
import { alternate, median } from './support/fair.js'
import { cpuSeconds, startPeer } from './support/processes.js'

const buildState = untypedBuildState as () => 'fresh' | 'stale' | 'missing'
const args = process.argv.slice(2)
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const seconds = Number(opt('seconds', '5'))
const runs = Number(opt('runs', '3'))
const connections = Number(opt('connections', '10'))
const db = opt('db', 'memory:')

interface Load {
  rps: number
  p99: number
  errors: number
  non2xx: number
  /** Server CPU microseconds per request. */
  cpuUs: number
}

async function load(url: string, duration: number, pid: number): Promise<Load> {
  const cpuBefore = cpuSeconds(pid)
  // Both servers get the same bearer header; only Continuum checks it.
  const headers = { authorization: `Bearer ${token}` }
  const result = await autocannon({ url, connections, duration, pipelining: 1, headers })
  const cpu = cpuSeconds(pid) - cpuBefore
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuUs: (cpu * 1e6) / Math.max(1, result.requests.total),
  }
}

const continuum = await startPeer('bench/support/continuum-server.ts', [db])
const [continuumUrl, id, token, ...json] = continuum.ready
const bare = await startPeer('bench/support/bare-fastify.ts', [json.join(' ')])
const [bareUrl] = bare.ready
try {
  const paths = {
    continuum: `${continuumUrl}/catalog/infrastructures/${id}`,
    bare: `${bareUrl}/catalog/infrastructures/${id}`,
  }
  // Warm both (JIT, caches), then measure in alternating order so drift hits both alike.
  const cPid = continuum.child.pid!
  const bPid = bare.child.pid!
  await load(paths.continuum, 2, cPid)
  await load(paths.bare, 2, bPid)
  const results = await alternate(
    [
      { name: 'continuum', run: () => load(paths.continuum, seconds, cPid) },
      { name: 'bare fastify', run: () => load(paths.bare, seconds, bPid) },
    ],
    runs,
    (r) => `${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/request`,
  )
  for (const [label, all] of results) {
    for (const r of all) {
      if (r.errors || r.non2xx) {
        throw new Error(`${label}: ${r.errors} errors, ${r.non2xx} non-2xx responses`)
      }
    }
  }
  const cs = results.get('continuum') ?? []
  const bs = results.get('bare fastify') ?? []
  const c = median(cs.map((r) => r.rps))
  const b = median(bs.map((r) => r.rps))
  const cCpu = median(cs.map((r) => r.cpuUs))
  const bCpu = median(bs.map((r) => r.cpuUs))
  const cP99 = median(cs.map((r) => r.p99))
  const bP99 = median(bs.map((r) => r.p99))
  const ratio = c / b
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, db ${db.startsWith('postgres') ? 'postgres' : db}, Continuum from ${buildState() === 'fresh' ? 'dist/ (as users run it)' : 'src/ through tsx (build stale: npm run build)'}`,
  )
  console.log(
    `GET /catalog/infrastructures/:id, ${connections} connections, ${seconds} s a run, medians of ${runs}`,
  )
  const line = (label: string, rps: number, p99: number, cpu: number) =>
    `  ${label.padEnd(13)} ${rps.toFixed(0).padStart(7)} req/s   p99 ${p99} ms   ${cpu.toFixed(1)} µs server CPU/request`
  console.log(line('continuum', c, cP99, cCpu))
  console.log(line('bare fastify', b, bP99, bCpu))
  const verdict = ratio >= 0.7 ? 'PASS' : 'BELOW TARGET'
  console.log(`  ratio         ${(ratio * 100).toFixed(1)} %   (target ≥ 70 %) ${verdict}`)
  // On a shared machine req/s swings with other load; CPU per request does not.
  console.log(
    `  CPU ratio     ${((bCpu / cCpu) * 100).toFixed(1)} %   (bare ÷ Continuum CPU per request: the req/s ratio when CPU-bound)`,
  )
} finally {
  await continuum.stop()
  await bare.stop()
}
