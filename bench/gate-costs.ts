/**
 * What each piece of the gated read costs, one by one: the same `GET /catalog/infrastructures/:id`
 * as bench/api-overhead.ts against servers that differ in one piece each (bench-only switches,
 * BENCH_GATE in bench/support/continuum-server.ts), and bare Fastify, all in alternating order.
 *   production   token verified, Cedar decision (cached), audit batched, access log on
 *   cache-off    every decision evaluated by Cedar
 *   audit-each   one audit INSERT per request instead of one per batch
 *   audit-off    no audit record (the gate's record call does nothing)
 *   log-off      no access-log line
 *   gate-off     no token, decision or audit at all (the rest of the stack)
 * Besides req/s and server CPU per request, each server reports its garbage-collection time:
 * the cost of the objects made per request.
 *   node --import tsx bench/gate-costs.ts [--seconds 5] [--runs 3] [--db postgres://…]
 */
import os from 'node:os'
import autocannon from 'autocannon'
import { alternate, median } from './support/fair.js'
import { cpuSeconds, startPeer, type Peer } from './support/processes.js'

const args = process.argv.slice(2)
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const seconds = Number(opt('seconds', '5'))
const runs = Number(opt('runs', '3'))
const db = opt('db', 'memory:')
const variants = opt('variants', 'production,cache-off,audit-each,audit-off,log-off,gate-off')
  .split(',')
  .filter(Boolean)

interface Server {
  peer: Peer
  path: string
  /** Milliseconds of garbage collection so far (the server reports it every 200 ms). */
  gcMs(): number
}

async function start(variant: string): Promise<Server> {
  const peer = await startPeer('bench/support/continuum-server.ts', [db], { BENCH_GATE: variant })
  let gc = 0
  peer.child.stderr?.on('data', (d: Buffer) => {
    const lines = d.toString().match(/^GC [\d.]+$/gm)
    if (lines) gc = Number(lines[lines.length - 1]!.slice(3))
  })
  const [url, id] = peer.ready
  return { peer, path: `${url}/catalog/infrastructures/${id}`, gcMs: () => gc }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Load {
  rps: number
  cpuUs: number
  gcUs: number
}

async function load(s: Server, token: string, duration: number): Promise<Load> {
  const pid = s.peer.child.pid!
  await wait(250)
  const cpu0 = cpuSeconds(pid)
  const gc0 = s.gcMs()
  const result = await autocannon({
    url: s.path,
    connections: 10,
    duration,
    headers: { authorization: `Bearer ${token}` },
  })
  const cpu = cpuSeconds(pid) - cpu0
  await wait(250)
  if (result.errors || result.non2xx) throw new Error(`${s.path}: errors or non-2xx responses`)
  const n = Math.max(1, result.requests.total)
  return {
    rps: result.requests.average,
    cpuUs: (cpu * 1e6) / n,
    gcUs: ((s.gcMs() - gc0) * 1e3) / n,
  }
}

const servers = new Map<string, Server>()
let bare: Peer | undefined
try {
  for (const v of variants) servers.set(v, await start(v))
  const first = servers.values().next().value as Server
  const json = first.peer.ready.slice(3).join(' ')
  bare = await startPeer('bench/support/bare-fastify.ts', [json])
  const bareServer: Server = {
    peer: bare,
    path: `${bare.ready[0]}${new URL(first.path).pathname}`,
    gcMs: () => 0,
  }
  servers.set('bare fastify', bareServer)
  // Each Continuum server minted its own token; bare Fastify ignores it.
  const tokenOf = (name: string) => servers.get(name)!.peer.ready[2] ?? ''
  for (const [name, s] of servers) await load(s, tokenOf(name), 2)
  const results = await alternate(
    [...servers].map(([name, s]) => ({ name, run: () => load(s, tokenOf(name), seconds) })),
    runs,
    (r) => `${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(1)} µs CPU, ${r.gcUs.toFixed(2)} µs GC`,
  )
  const bareRps = median((results.get('bare fastify') ?? []).map((r) => r.rps))
  const baseCpu = median((results.get('production') ?? []).map((r) => r.cpuUs))
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, db ${db.startsWith('postgres') ? 'postgres' : db}; medians of ${runs} × ${seconds} s`,
  )
  console.log(
    '| server | req/s | % of bare | CPU µs/request | Δ CPU vs production | GC µs/request |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const [name, all] of results) {
    const rps = median(all.map((r) => r.rps))
    const cpu = median(all.map((r) => r.cpuUs))
    const gc = median(all.map((r) => r.gcUs))
    const delta = name === 'production' || Number.isNaN(baseCpu) ? '' : (cpu - baseCpu).toFixed(1)
    console.log(
      `| ${name} | ${rps.toFixed(0)} | ${((rps / bareRps) * 100).toFixed(1)} % | ${cpu.toFixed(1)} | ${delta} | ${name === 'bare fastify' ? '–' : gc.toFixed(2)} |`,
    )
  }
} finally {
  for (const s of servers.values()) await s.peer.stop()
  if (bare && !servers.has('bare fastify')) await bare.stop()
}
