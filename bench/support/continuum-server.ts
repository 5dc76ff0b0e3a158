// A Continuum API process for benchmarks: database from argv[2] (default memory:), one
// infrastructure, listening on a random port; prints `READY <url> <id>` when it can be hit.
// @ts-expect-error: a plain JavaScript module (bin/ imports it before anything is compiled)
import { buildState as untypedBuildState } from '../../scripts/build-state.js'
import type * as ApiModule from '../../src/api/index.js'
import type * as AuthModule from '../../src/auth/index.js'
import type * as CatalogModule from '../../src/catalog/index.js'
import type * as DbModule from '../../src/db/index.js'
import type * as PlatformModule from '../../src/platform/index.js'
import { PerformanceObserver } from 'node:perf_hooks'
import { startSteadyProfile, stopSteadyProfile } from './steady-profile.js'

// What users run: the compiled build in dist/ (as bin/continuum.js does) when it matches the
// sources; the sources through tsx otherwise, which costs a little more per request (tsx keeps
// function names with a helper call on every closure made). The bench prints which it measured.
type Modules = [
  typeof ApiModule,
  typeof AuthModule,
  typeof CatalogModule,
  typeof DbModule,
  typeof PlatformModule,
]
const buildState = untypedBuildState as () => 'fresh' | 'stale' | 'missing'
const built = buildState() === 'fresh'
const from = built ? '../../dist' : '../../src'
const [api, auth, catalog, dbModule, platform] = (await Promise.all(
  ['api', 'auth', 'catalog', 'db', 'platform'].map(
    (d) => import(`${from}/${d}/index.js`) as Promise<unknown>,
  ),
)) as Modules
const { buildServer } = api
const { BuiltInIssuer } = auth
const { addInfrastructure } = catalog
const { connect, migrate } = dbModule
const { systemActor, createLogger, systemClock, version } = platform

const database = await connect(process.argv[2] ?? 'memory:')
await migrate(database)
const logger = createLogger({
  // BENCH_GATE=log-off: warn level, which leaves out the access log's line per request.
  level:
    process.env.BENCH_GATE === 'log-off'
      ? 'warn'
      : ((process.env.BENCH_LOG_LEVEL as 'info' | undefined) ?? 'info'),
})
const ctx = {
  db: database.db,
  clock: systemClock,
  changes: await database.openChangeFeed(logger),
  actor: systemActor('bench'),
}
const name = `bench-${process.pid}`
const infra = await addInfrastructure(ctx, {
  name,
  title: 'LUMI',
  kind: 'HPC',
  operator: 'CSC – IT Center for Science',
  country: 'FI',
  url: 'https://www.lumi-supercomputer.eu/',
  description: 'EuroHPC pre-exascale system hosted by CSC in Kajaani, Finland.',
  source: 'https://www.lumi-supercomputer.eu/',
})
// Production settings: the gate on (bearer token verified, Cedar decision, audit), request
// logging at info level written to stdout (here /dev/null).
const issuer = await BuiltInIssuer.create({
  url: 'http://127.0.0.1',
  clock: systemClock,
  audience: 'continuum',
})
// BENCH_GATE: one piece of the gated path changed, to measure what it costs (bench/gate-costs.ts).
// Read here only, in the bench's own server; the product has no such switch.
const variant = process.env.BENCH_GATE ?? 'production'
const app = await buildServer({
  ctx,
  database,
  logger,
  version,
  security: { builtInIssuer: issuer, ...(variant === 'gate-off' ? { gate: false } : {}) },
})
const { engine, audit } = app.security
if (variant === 'cache-off') {
  // Every request evaluated by Cedar, as if each were a new identity, action or resource.
  const decide = engine.decide.bind(engine)
  engine.decide = (request) => decide(request, { useCache: false })
}
if (variant === 'audit-each') {
  // One INSERT per request instead of one per batch (the buffer is written at once).
  const record = audit.record.bind(audit)
  audit.record = (r) => {
    record(r)
    void audit.flush()
  }
}
if (variant === 'audit-off') audit.record = () => undefined
const url = await app.listen({ host: '127.0.0.1', port: 0 })
app.security.setIssuerUrl(url)
const token = await issuer.mint({ sub: 'bench-reader', groups: ['/atlas'], expiresIn: 86_400 })
startSteadyProfile()
// Time spent collecting garbage so far, for the cost of per-request allocations.
let gcMs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
}).observe({ entryTypes: ['gc'] })
setInterval(() => process.stderr.write(`GC ${gcMs.toFixed(3)}\n`), 200).unref()
process.stderr.write(`READY ${url} ${infra.id} ${token} ${JSON.stringify(infra)}\n`)
process.on('SIGTERM', () => {
  void stopSteadyProfile()
    .then(() => app.close())
    .then(() => database.close().then(() => process.exit(0)))
})
