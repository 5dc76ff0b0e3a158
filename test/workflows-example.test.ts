/**
 * The "done when" example, end to end through the CLI: examples/federated.yaml reads a dataset
 * from the data federation, scatters over its files on a local and a real Slurm site, uploads
 * and registers the outputs with the workflow's rule, and its usage shows in `continuum usage`.
 * Both database backends. Without Slurm (or root) the Slurm site is left out locally, with the
 * reason; under CI=true Slurm must be there.
 */
import assert from 'node:assert/strict'
import { chmodSync, copyFileSync, readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, it } from 'node:test'
import type { Endpoint } from '../src/contract/index.js'
import { addDid, addScope, attachDids, listReplicas, listRules } from '../src/data/index.js'
import { runAgents, systemActor, silentLogger, type AgentRunner } from '../src/platform/index.js'
import { ProtocolRegistry, TransferAgent, uploadFile } from '../src/transfers/index.js'
import {
  FederationStaging,
  listTasks,
  putComputeSite,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { runCli } from './support/cli.js'
import { bytesOf, tempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'
import { slurmSkipReason, startSlurm, type SlurmCluster } from './support/slurm.js'
import { tempDir } from './support/workflows.js'

const slurmSkip = slurmSkipReason()
let cluster: SlurmCluster | undefined
before(async () => {
  if (!slurmSkip) cluster = await startSlurm()
})
after(() => cluster?.stop())

describeEachBackend('the federated example (examples/federated.yaml)', (fixture) => {
  const storage = tempStorage()
  let server: TestServer
  let agents: AgentRunner
  let archive: Endpoint
  const files = 4
  before(async () => {
    const { database } = fixture()
    server = await startTestServer(database)
    // The worker side, with a real clock: real processes and Slurm jobs take real time.
    const ctx = { db: database.db, clock: { now: () => new Date() }, actor: systemActor('test') }
    const raw = await storage.add(
      ctx,
      { country: 'DE', site: 'DESY-ZN' },
      { name: 'DESY-ZN_DATADISK' },
    )
    archive = await storage.add(ctx, { country: 'NL', site: 'SURF' }, { name: 'SURF_LOFAR' })
    await addScope(ctx, { name: 'demo' })
    await addDid(ctx, { scope: 'demo', name: 'raw-events', type: 'dataset' })
    const registry = new ProtocolRegistry()
    for (let i = 0; i < files; i++) {
      const events = Buffer.from(Array.from({ length: i + 1 }, (_, k) => `event ${k}\n`).join(''))
      await uploadFile(
        ctx,
        registry,
        { scope: 'demo', name: `events-${i}`, to: raw.name },
        bytesOf(events),
      )
    }
    // As a server keeps them (umask 077): the sandboxed job's account cannot read the stored
    // replicas, so staging must hand it a copy, not a link.
    for (const file of readdirSync(fileURLToPath(raw.protocols[0]!.url), { recursive: true })) {
      const full = path.join(fileURLToPath(raw.protocols[0]!.url), String(file))
      if (statSync(full).isFile()) chmodSync(full, 0o600)
    }
    await attachDids(
      ctx,
      { scope: 'demo', name: 'raw-events' },
      {
        children: Array.from({ length: files }, (_, i) => ({ scope: 'demo', name: `events-${i}` })),
      },
    )
    await putComputeSite(ctx, {
      name: 'local',
      executor: 'local',
      config: { root: tempDir('continuum-runs-') },
      cores: 1,
      memoryPerCoreMb: 2048,
    })
    if (cluster) {
      await putComputeSite(ctx, {
        name: 'slurm',
        executor: 'slurm',
        batchSystem: 'slurm',
        config: { root: tempDir('continuum-slurm-runs-'), env: cluster.env, pollIntervalMs: 300 },
        cores: 2,
        memoryPerCoreMb: 2000,
        maxWalltimeS: 3600,
      })
    }
    agents = runAgents(
      [
        new WorkflowEngine(ctx, {
          workerId: 'example',
          idleMs: 20,
          staging: new FederationStaging(ctx),
        }),
        new TransferAgent(ctx, { workerId: 'example-transfers' }),
      ],
      silentLogger,
    )
  })
  after(async () => {
    await agents?.stop()
    await server?.close()
    storage.cleanup()
  })

  it('runs with `continuum workflow run`, registers its outputs with the rule, and shows its usage', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'federated.yaml')
    copyFileSync(path.resolve('examples/federated.yaml'), file)
    const token = await server.mintToken({ sub: 'example-user', groups: ['/continuum/admins'] })
    const cli = (...args: string[]) =>
      runCli(['--server', server.url, '--token', token, '--json', ...args])
    const run = await cli('workflow', 'run', file, '--watch')
    assert.equal(run.code, 0, run.stderr + run.stdout)
    const wf = JSON.parse(run.stdout) as {
      id: string
      state: string
      counts: Record<string, number>
    }
    assert.equal(wf.state, 'succeeded')
    assert.equal(wf.counts.done, files + 1)
    // 1 + 2 + 3 + 4 events, counted from the dataset's files.
    assert.equal(readFileSync(path.join(dir, 'total.txt'), 'utf8').trim(), '10')
    const { ctx } = fixture()
    for (let i = 0; i < files; i++) {
      const replicas = await listReplicas(ctx, { scope: 'demo', name: `counts-${i}` })
      assert.ok(
        replicas.some((r) => r.endpoint === archive.name && r.state === 'available' && r.adler32),
        `counts-${i} registered with its checksum`,
      )
      const rules = await listRules(ctx, { scope: 'demo', name: `counts-${i}` })
      assert.ok(rules.some((r) => r.expression === 'SURF_LOFAR'))
    }
    const tasks = (await listTasks(ctx, wf.id)).items
    const sites = new Set(tasks.filter((t) => t.name.startsWith('count[')).map((t) => t.site))
    assert.ok(sites.has('local'))
    if (cluster) assert.ok(sites.has('slurm'), `both sites used: ${[...sites].join(', ')}`)
    const usage = await cli('usage', '--by', 'site')
    assert.equal(usage.code, 0, usage.stderr)
    const rows = (JSON.parse(usage.stdout) as { rows: Array<{ key: string; tasks: number }> }).rows
    const total = rows.reduce((n, r) => n + r.tasks, 0)
    assert.ok(total >= files + 1, JSON.stringify(rows))
    assert.ok(rows.some((r) => r.key === 'local'))
    if (cluster) assert.ok(rows.some((r) => r.key === 'slurm'))
  })
})
