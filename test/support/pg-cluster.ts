/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp folder, on a free loopback
 * port), so that outage tests can stop and restart a database without disturbing the shared
 * server. As root the binaries run as the `postgres` user, which initdb requires.
 */
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const binDir = '/usr/lib/postgresql/15/bin'

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
  start(): Promise<void>
  /** Removes the cluster for good. */
  close(): Promise<void>
}

/** Why clusters cannot be made here, or false; under CI=true a missing binary is an error. */
export function pgClusterSkipReason(): string | false {
  if (existsSync(path.join(binDir, 'initdb'))) return false
  const reason = `no PostgreSQL binaries in ${binDir}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: outage tests must run)`)
  return reason
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-pg-'))
  const data = path.join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  const pg = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(binDir, bin), ...args], { cwd: dir })
      : run(path.join(binDir, bin), args, { cwd: dir })
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start'])
  }
  const stop = async () => {
    // Fast shutdown: open sessions are cut, as in a real restart or failover.
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async close() {
      await stop().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
