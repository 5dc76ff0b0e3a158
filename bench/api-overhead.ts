/**
 * API overhead: requests/s of Continuum's `GET /catalog/infrastructures/:id` (schema
 * validation, request ids, logging, error handling, database) against a bare Fastify route
 * returning the same JSON, side by side, with autocannon over loopback.
 * Target: Continuum ≥ 70 % of bare Fastify.
 *   npm run bench -- api-overhead [--seconds 10] [--connections 10] [--db postgres://…]
 */
import os from 'node:os'
import autocannon from 'autocannon'
import { startPeer } from './support/processes.js'

const args = process.argv.slice(2)
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const seconds = Number(opt('seconds', '10'))
const connections = Number(opt('connections', '10'))
const db = opt('db', 'memory:')

async function load(
  url: string,
  duration: number,
): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const result = await autocannon({ url, connections, duration, pipelining: 1 })
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  }
}

const continuum = await startPeer('bench/support/continuum-server.ts', [db])
const [continuumUrl, id, ...json] = continuum.ready
const bare = await startPeer('bench/support/bare-fastify.ts', [json.join(' ')])
const [bareUrl] = bare.ready
try {
  const paths = {
    continuum: `${continuumUrl}/catalog/infrastructures/${id}`,
    bare: `${bareUrl}/catalog/infrastructures/${id}`,
  }
  // Warm both (JIT, caches), then measure alternately so drift hits both alike.
  await load(paths.continuum, 2)
  await load(paths.bare, 2)
  const c1 = await load(paths.continuum, seconds / 2)
  const b1 = await load(paths.bare, seconds / 2)
  const b2 = await load(paths.bare, seconds / 2)
  const c2 = await load(paths.continuum, seconds / 2)
  const c = (c1.rps + c2.rps) / 2
  const b = (b1.rps + b2.rps) / 2
  for (const [label, r] of [
    ['continuum', c1],
    ['continuum', c2],
    ['bare fastify', b1],
    ['bare fastify', b2],
  ] as const) {
    if (r.errors || r.non2xx) {
      throw new Error(`${label}: ${r.errors} errors, ${r.non2xx} non-2xx responses`)
    }
  }
  const ratio = c / b
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, db ${db.startsWith('postgres') ? 'postgres' : db}`,
  )
  console.log(`GET /catalog/infrastructures/:id, ${connections} connections, ${seconds} s each`)
  console.log(
    `  continuum     ${c.toFixed(0).padStart(7)} req/s   p99 ${Math.max(c1.p99, c2.p99)} ms`,
  )
  console.log(
    `  bare fastify  ${b.toFixed(0).padStart(7)} req/s   p99 ${Math.max(b1.p99, b2.p99)} ms`,
  )
  console.log(
    `  ratio         ${(ratio * 100).toFixed(1)} %   (target ≥ 70 %) ${ratio >= 0.7 ? 'PASS' : 'BELOW TARGET'}`,
  )
} finally {
  await continuum.stop()
  await bare.stop()
}
