/**
 * The kill test, shared by `npm test` (small) and bench/workflow-kill.ts (the full 1,000 tasks,
 * 20 kills): a workflow whose tasks each append one line to a file runs while worker processes
 * are SIGKILLed at random moments; optionally the database connection path is cut once (a TCP
 * proxy between the workers and PostgreSQL is stopped and restarted, which is what a PostgreSQL
 * restart looks like to a client, without disturbing the shared server). It must finish with
 * every line exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Context } from '../../src/db/index.js'
import { getWorkflow, putComputeSite, submitWorkflow } from '../../src/workflows/index.js'
import { printedLines, tempDir } from './workflows.js'

export interface KillRunOptions {
  ctx: Context
  databaseUrl: string
  tasks: number
  kills: number
  leaseMs: number
  /** Cut the database path once, in the middle of the run. */
  restartDatabase?: boolean
  log?: (line: string) => void
}

export interface KillRunResult {
  state: string
  lines: string[]
  duplicates: string[]
  missing: number
  seconds: number
}

const workerScript = path.resolve('test/support/workflow-worker.ts')

/** A TCP proxy in front of PostgreSQL that can be stopped (dropping every connection) and restarted. */
export class TcpProxy {
  private server: net.Server | undefined
  private readonly sockets = new Set<net.Socket>()
  port = 0

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target)
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => s.destroy())
      }
      client.pipe(upstream).pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    this.port = (this.server.address() as net.AddressInfo).port
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    )
  }
}

export async function runKillTest(o: KillRunOptions): Promise<KillRunResult> {
  const log = o.log ?? (() => {})
  const dir = tempDir('continuum-kill-')
  const site = `kill-${path.basename(dir)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-')
  await putComputeSite(o.ctx, {
    name: site,
    executor: 'local',
    config: { root: path.join(dir, 'runs') },
    cores: 8,
    memoryPerCoreMb: 512,
  })
  const wf = await submitWorkflow(o.ctx, {
    workdir: dir,
    source: `name: kill-test
defaults: { site: ${site}, retries: 3, backoff: 1, resources: { memory: 64MB } }
tasks:
  - name: line
    scatter: { range: ${o.tasks} }
    outputs: ['line-\${{ item }}.txt']
    command: [sh, -c, 'echo line-\${{ item }} | tee line-\${{ item }}.txt']
`,
  })
  const dbUrl = new URL(o.databaseUrl)
  const proxy = new TcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) })
  await proxy.start()
  const viaProxy = new URL(o.databaseUrl)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  const started = Date.now()
  let worker: { child: ChildProcess; exited: Promise<void>; ready: Promise<void> } | undefined
  const startWorker = () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', workerScript, viaProxy.toString(), String(o.leaseMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    // The worker prints 'ready' once connected; a worker that dies first is ready too (for our wait).
    const ready = Promise.race([
      new Promise<void>((resolve) => child.stdout?.once('data', () => resolve())),
      exited,
    ])
    worker = { child, exited, ready }
  }
  const finished = async () =>
    ['succeeded', 'failed', 'cancelled'].includes((await getWorkflow(o.ctx, wf.id)).state)
  try {
    for (let k = 0; k < o.kills && !(await finished()); k++) {
      startWorker()
      await worker?.ready
      // A random moment of its work: claiming, dispatching, polling or committing.
      await sleep(100 + Math.random() * 1200)
      if (o.restartDatabase && k === Math.floor(o.kills / 2)) {
        log('cutting the database path (proxy stop, 1.5 s, restart)')
        await proxy.stop()
        await sleep(1500)
        await proxy.start(proxy.port)
        await sleep(500 + Math.random() * 1000)
      }
      worker?.child.kill('SIGKILL')
      await worker?.exited
      const w = await getWorkflow(o.ctx, wf.id)
      log(`kill ${k + 1}/${o.kills}: ${JSON.stringify(w.counts)}`)
    }
    startWorker()
    for (let i = 0; i < 3000 && !(await finished()); i++) await sleep(100)
  } finally {
    worker?.child.kill('SIGTERM')
    await proxy.stop()
  }
  const state = (await getWorkflow(o.ctx, wf.id)).state
  // Every run printed its line; every task's file reached the workflow folder.
  const lines = printedLines(path.join(dir, 'runs'))
  const seen = new Set<string>()
  const duplicates: string[] = []
  for (const l of lines) {
    if (seen.has(l)) duplicates.push(l)
    seen.add(l)
  }
  return {
    state,
    lines,
    duplicates,
    missing: o.tasks - seen.size + missingFiles(dir, o.tasks),
    seconds: (Date.now() - started) / 1000,
  }
}

function missingFiles(dir: string, tasks: number): number {
  let missing = 0
  for (let i = 0; i < tasks; i++) if (!existsSync(path.join(dir, `line-${i}.txt`))) missing++
  return missing
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
