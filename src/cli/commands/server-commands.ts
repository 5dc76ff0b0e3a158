/**
 * The commands that run the server side in this process: serve, migrate and demo. They are the
 * only CLI code that imports server domains; every other command goes through the HTTP client.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import { openBuiltInIssuer, preloadPolicies, startServer, stopOnSignals } from '../../api/index.js'
import { createDemoEndpoints } from '../../data/index.js'
import { assertSchemaCurrent, connect, migrate, type Context } from '../../db/index.js'
import { loadShippedLandscape } from '../../landscape/index.js'
import { seedDemoPractice } from '../../practice/index.js'
import {
  addPolicy,
  listPolicies,
  syncAccessPolicies,
  type PolicyEngine,
} from '../../policy/index.js'
import {
  createLogger,
  defaultShutdownGraceMs,
  forceExitAfter,
  newWorkerId,
  preparePrivateFolder,
  restrictNewFiles,
  runAgents,
  systemActor,
  systemClock,
  type Config,
} from '../../platform/index.js'
import { endLeasesOfGoneWorkers, selectAgents } from '../../worker/index.js'
import {
  bindDemoSlurm,
  bindDemoWorkstation,
  ensureDemoCatalogue,
  ensureDemoDataset,
  localSlurmMissing,
  startLocalSlurm,
  type LocalSlurm,
} from '../../workflows/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'

/**
 * Before a server process opens anything: new files private to it (umask 077), and a home and
 * embedded database folder no other user can write (refused with the fix otherwise).
 */
function secureFiles(config: Config): void {
  restrictNewFiles()
  const embedded = config.db.startsWith('pglite:') ? config.db.slice('pglite:'.length) : undefined
  if (embedded !== undefined || config.builtinIssuer || existsSync(config.home)) {
    preparePrivateFolder(config.home, 'the home folder')
  }
  if (embedded !== undefined) {
    preparePrivateFolder(embedded, 'the database folder', { contents: true })
  }
}

interface ServeOptions {
  port?: string
  host?: string
  migrate?: boolean
}

export function serveCommand(): Command {
  return withExamples(
    new Command('serve')
      .description('Run the API server')
      .option('--port <port>', 'port to listen on (default 8080, env CONTINUUM_PORT)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1, env CONTINUUM_HOST)')
      .option(
        '--migrate',
        'apply pending migrations on PostgreSQL first (embedded databases always are)',
      )
      .action(async (opts: ServeOptions, cmd: Command) => {
        const { config } = cliContext(cmd, { port: opts.port, host: opts.host })
        secureFiles(config)
        const logger = createLogger({ level: config.logLevel })
        const server = await startServer(config, { logger, migrate: opts.migrate === true })
        logger.info({ url: server.url, db: server.database.url }, 'Continuum API listening')
        stopOnSignals(server, logger)
      }),
    'continuum serve --db postgres://continuum@db.example.org/continuum --port 8080',
  )
}

export function migrateCommand(): Command {
  return withExamples(
    new Command('migrate')
      .description('Apply pending database migrations (safe to run from several processes at once)')
      .action(async (_opts: unknown, cmd: Command) => {
        const { config, out } = cliContext(cmd)
        const database = await connect(config.db)
        try {
          const result = await migrate(database)
          printResult(out, { database: database.url, ...result }, (r) =>
            r.applied.length === 0
              ? `database ${r.database} is up to date at version ${r.current}`
              : `${formatTable(r.applied, [
                  { header: 'version', value: (m) => m.version },
                  { header: 'applied', value: (m) => m.name },
                ])}\ndatabase ${r.database} is at version ${r.current}`,
          )
        } finally {
          await database.close()
        }
      }),
    'continuum migrate --db postgres://postgres@127.0.0.1:5432/continuum',
  )
}

/** Who may approve a device login at the demo's built-in issuer, and with which groups. */
const demoUsers: Record<string, string[]> = {
  admin: ['/continuum/admins'],
  'atlas-user': ['/atlas'],
  'lofar-user': ['/lofar'],
}

export function demoCommand(): Command {
  return withExamples(
    new Command('demo')
      .description(
        'Run Continuum on this machine: embedded database under CONTINUUM_HOME (or --db postgres://…, migrated), API on :8080',
      )
      .option('--port <port>', 'port to listen on (default 8080)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1)')
      .action(async (opts: ServeOptions, cmd: Command) => {
        const { config, out } = cliContext(cmd, {
          port: opts.port,
          host: opts.host,
          builtinIssuer: 'on',
        })
        // The demo's storage lives on this machine; its endpoints (and tests' local servers)
        // are reached over loopback.
        if (config.sources.endpointNetworks === 'default') config.endpointNetworks = ['loopback']
        secureFiles(config)
        const logger = createLogger({
          level: config.logLevel === 'info' ? 'warn' : config.logLevel,
        })
        // The demo makes its database ready whatever it is: a fresh PostgreSQL database is
        // migrated like the embedded one, instead of stopping at SCHEMA_OUT_OF_DATE.
        // The gate's policies load once the demo is up (below): its own start-up needs none.
        const server = await startServer(config, {
          logger,
          demoUsers,
          migrate: true,
          preloadPolicies: false,
        })
        // The demo loads the shipped landscape (once), creates local storage endpoints and the
        // 'local' compute site, and runs the background agents in-process.
        const ctx = { db: server.database.db, clock: systemClock, actor: systemActor('demo') }
        const loaded = await loadShippedLandscape(ctx)
        // A community of practice to look at: synthetic members, a survey with responses, an
        // interview, a draft under consultation; the demo users hold roles in it.
        const issuerUrl = server.app.security.issuer?.url
        const practice = issuerUrl === undefined ? false : await seedDemoPractice(ctx, issuerUrl)
        // The demo's own small continuum: this workstation and a cluster, in the catalogue.
        await ensureDemoCatalogue(ctx)
        // What the landscape says about who may use which service is what the gate enforces.
        const access = await syncAccessPolicies(ctx, server.app.security.engine, 'demo')
        await allowInstallationWorkflows(ctx, server.app.security.engine)
        await createDemoEndpoints(ctx, config.home)
        const workstation = await bindDemoWorkstation(ctx, config.home)
        await ensureDemoDataset(ctx)
        // A real Slurm as the second site, started in the background so that the API is up at
        // once; the site is bound when the cluster answers.
        const slurmMissing =
          process.env.CONTINUUM_DEMO_SLURM === 'off'
            ? 'turned off (CONTINUUM_DEMO_SLURM=off)'
            : localSlurmMissing()
        let slurm: LocalSlurm | undefined
        let stopping = false
        if (slurmMissing === null) {
          void startLocalSlurm(path.join(config.home, 'slurm'))
            .then(async (cluster) => {
              slurm = cluster
              if (stopping) return cluster.stop()
              const site = await bindDemoSlurm(ctx, config.home, cluster)
              out.write(
                `  slurm     site 'slurm' bound: a single-node Slurm (${site.offers?.cores ?? '?'} cores, partition ${site.partition ?? '-'}, SLURM_CONF=${cluster.conf})`,
              )
            })
            .catch((err: unknown) => {
              out.write(
                `  slurm     could not start (${(err as Error).message}); only 'local' runs tasks`,
              )
            })
        }
        await endLeasesOfGoneWorkers(ctx, logger)
        const agents = runAgents(
          selectAgents(ctx, {
            workerId: newWorkerId('demo'),
            tokens: server.app.security.issuer,
            transferHistoryDays: config.transferHistoryDays,
            auditRetentionDays: config.auditRetentionDays,
          }),
          logger,
        )
        out.write(
          [
            `Continuum demo is running at ${server.url}`,
            `  dashboard ${server.url}/ (open in a browser; log in as a demo user)`,
            `  database  ${server.database.url} (${
              server.database.backend === 'pglite'
                ? `embedded PGlite; delete ${config.home} to start afresh`
                : 'PostgreSQL, migrated to the current schema'
            })`,
            `  landscape ${loaded ? 'shipped European landscape loaded from data/landscape' : 'kept from the previous run'}`,
            `  policies  ${access.compiled.length} access policies of the landscape compiled to Cedar`,
            `  practice  ${practice ? 'demo working group wg-requirements-demo seeded (synthetic members; atlas-user coordinates, lofar-user reviews)' : 'demo working group kept from the previous run'}`,
            `  storage   local POSIX endpoints under ${config.home}/storage`,
            `  sites     'local' = demo-local (this machine, ${workstation.offers?.cores ?? '?'} cores; jobs run sandboxed as ${workstation.accounts.default ?? 'nobody'}${workstation.images ? ', images from its store' : ''})` +
              (slurmMissing === null
                ? "; 'slurm' = demo-slurm (a real single-node Slurm, starting in the background)"
                : `; no Slurm site: ${slurmMissing}`),
            '',
            `  issuer    ${server.url} (built-in; keys in ${config.home}/keys, mode 0600)`,
            '',
            'Log in first (device flow, as with oidc-agent); approve in the browser as one of the demo users',
            `(${Object.keys(demoUsers).join(', ')}), then every command uses the stored token:`,
            `  npx continuum --server ${server.url} login`,
            `  npx continuum --server ${server.url} whoami`,
            '',
            'Try next:',
            `  curl ${server.url}/healthz`,
            `  curl ${server.url}/openapi.json`,
            `  curl -H "Authorization: Bearer $(npx continuum token)" ${server.url}/auth/me`,
            // not a name of the shipped landscape, so it works on a fresh demo
            `  npx continuum --server ${server.url} catalog infra add my-lab --title "My lab cluster" --kind HPC --operator "My lab" --country NL`,
            `  npx continuum --server ${server.url} catalog infra ls`,
            `  npx continuum --server ${server.url} landscape infra`,
            `  npx continuum --server ${server.url} landscape gaps`,
            `  npx continuum --server ${server.url} data endpoints '*'`,
            `  npx continuum --server ${server.url} site ls`,
            `  npx continuum --server ${server.url} landscape plan lofar2-calibration-imaging`,
            `  npx continuum --server ${server.url} practice survey results requirements-survey-demo`,
            `  npx continuum --server ${server.url} workflow run examples/two-sites.yaml --watch`,
            `  npx continuum --server ${server.url} workflow run examples/hello.yaml --watch`,
            `  npx continuum --server ${server.url} workflow run examples/federated.yaml --watch   # reads demo:raw-events from the federation`,
            '',
            'Stop with Ctrl-C.',
          ].join('\n'),
        )
        preloadPolicies(server, logger)
        // Agents stop first, so they do not see the database close under them.
        stopOnSignals(
          {
            ...server,
            stop: () =>
              agents.stop().then(() => {
                stopping = true
                slurm?.stop()
                return server.stop()
              }),
          },
          logger,
        )
      }),
    'npm start',
    'continuum demo --port 9090',
  )
}

export function workerCommand(): Command {
  return withExamples(
    new Command('worker')
      .description(
        'Run the background agents (rules, transfers, workflows …) against the database; run several for more throughput',
      )
      .option(
        '--only <prefixes>',
        'comma-separated agent name prefixes to run, e.g. transfers,rules',
      )
      .action(async (opts: { only?: string }, cmd: Command) => {
        const { config, out } = cliContext(cmd)
        secureFiles(config)
        const logger = createLogger({ level: config.logLevel, name: 'continuum-worker' })
        const database = await connect(config.db, { logger })
        if (database.backend === 'pglite') await migrate(database)
        else await assertSchemaCurrent(database)
        const workerId = newWorkerId('worker')
        // With the built-in issuer on, the worker signs its transfers' storage tokens with the
        // installation's key (the same home folder as the server's).
        const tokens = await openBuiltInIssuer(config, systemClock)
        const workerCtx = { db: database.db, clock: systemClock, actor: systemActor('worker') }
        await endLeasesOfGoneWorkers(workerCtx, logger)
        const agents = selectAgents(workerCtx, {
          workerId,
          tokens,
          transferHistoryDays: config.transferHistoryDays,
          auditRetentionDays: config.auditRetentionDays,
          ...(opts.only ? { only: opts.only.split(',') } : {}),
        })
        if (agents.length === 0) out.error('no agents to run')
        logger.info({ workerId, agents: agents.map((a) => a.name) }, 'worker started')
        const runner = runAgents(agents, logger)
        const stop = () => {
          logger.info('worker stopping: finishing current rounds')
          // A round stuck on a hung storage endpoint must not keep the worker alive for ever.
          forceExitAfter(defaultShutdownGraceMs, logger)
          void runner.stop().then(() => database.close())
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        await runner.done
      }),
    'continuum worker --db postgres://127.0.0.1/continuum',
    'continuum worker --only transfers',
  )
}

/**
 * A workflow of no community is the installation's own (an admin's: `admin` on the demo). The
 * landscape's policies admit only community members, so the demo's operator lets the
 * installation's own workflows onto its own workstation, with a stored policy anyone can read
 * (`continuum policy show demo.installation-workflows`), not by leaving the site ungated.
 */
async function allowInstallationWorkflows(ctx: Context, engine: PolicyEngine): Promise<void> {
  const name = 'demo.installation-workflows'
  if ((await listPolicies(ctx)).some((p) => p.name === name)) return
  await addPolicy(
    ctx,
    engine,
    {
      name,
      description: "The installation's own workflows (of no community) run on the demo workstation",
      body:
        'permit (principal, action == Action::"workflows.task.submit", resource == ComputeService::"demo-local")\n' +
        'when { principal.communities.isEmpty() && context has unattended && context.unattended };',
    },
    'demo',
  )
}
