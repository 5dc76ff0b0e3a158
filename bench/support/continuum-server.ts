// A Continuum API process for benchmarks: database from argv[2] (default memory:), one
// infrastructure, listening on a random port; prints `READY <url> <id>` when it can be hit.
import { buildServer } from '../../src/api/index.js'
import { BuiltInIssuer } from '../../src/auth/index.js'
import { addInfrastructure } from '../../src/catalog/index.js'
import { connect, migrate } from '../../src/db/index.js'
import { systemActor, createLogger, systemClock, version } from '../../src/platform/index.js'
import { startSteadyProfile, stopSteadyProfile } from './steady-profile.js'

const database = await connect(process.argv[2] ?? 'memory:')
await migrate(database)
const logger = createLogger({
  level: (process.env.BENCH_LOG_LEVEL as 'info' | undefined) ?? 'info',
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
const app = await buildServer({
  ctx,
  database,
  logger,
  version,
  security: { builtInIssuer: issuer },
})
const url = await app.listen({ host: '127.0.0.1', port: 0 })
app.security.setIssuerUrl(url)
const token = await issuer.mint({ sub: 'bench-reader', groups: ['/atlas'], expiresIn: 86_400 })
startSteadyProfile()
process.stderr.write(`READY ${url} ${infra.id} ${token} ${JSON.stringify(infra)}\n`)
process.on('SIGTERM', () => {
  void stopSteadyProfile()
    .then(() => app.close())
    .then(() => database.close().then(() => process.exit(0)))
})
