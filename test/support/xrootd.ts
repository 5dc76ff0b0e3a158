/**
 * Real XRootD servers (Debian xrootd-server 5.5) on random loopback ports, in temporary folders,
 * stopped by process id. `tpc: true` adds the third-party-copy configuration. Tests skip
 * locally when xrootd or its client is absent and fail under CI=true.
 */
import { spawn } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, waitForPort } from './nginx.js'

const binaries = ['/usr/bin/xrootd', '/usr/bin/xrdcp', '/usr/bin/xrdfs']

export interface XrootdServer {
  /** root://127.0.0.1:PORT — append `//path` for a file. */
  url: string
  /** The folder served as `/`. */
  data: string
  stop(): Promise<void>
}

/** Why XRootD tests cannot run here, or false. */
export function xrootdSkipReason(): string | false {
  const missing = binaries.filter((b) => !existsSync(b))
  if (missing.length === 0) return false
  const reason = `XRootD not installed (Debian xrootd-server xrootd-client): ${missing.join(', ')}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: XRootD tests must run)`)
  return reason
}

export async function startXrootd(options: { tpc?: boolean } = {}): Promise<XrootdServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-xrootd-'))
  const data = path.join(dir, 'data')
  const run = path.join(dir, 'run')
  mkdirSync(data)
  mkdirSync(run)
  const port = await freePort()
  const conf = path.join(dir, 'xrootd.cfg')
  writeFileSync(
    conf,
    [
      'all.export /',
      `oss.localroot ${data}`,
      `xrd.port ${port}`,
      'xrd.network nodnr',
      `all.adminpath ${run}`,
      `all.pidpath ${run}`,
      'xrootd.chksum adler32',
      // Third-party copy: the destination server runs xrdcp to pull from the source.
      ...(options.tpc ? ['ofs.tpc pgm /usr/bin/xrdcp --server'] : []),
      '',
    ].join('\n'),
  )
  const asRoot = process.getuid?.() === 0
  // As root xrootd must drop to an unprivileged user, who then owns the data.
  if (asRoot) for (const p of [dir, data, run]) chownSync(p, 65534, 65534)
  const log = path.join(dir, 'xrootd.log')
  const child = spawn(
    '/usr/bin/xrootd',
    ['-c', conf, '-l', log, ...(asRoot ? ['-R', 'nobody'] : [])],
    {
      stdio: 'ignore',
    },
  )
  await waitForPort(port, child, log)
  return {
    url: `root://127.0.0.1:${port}`,
    data,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Files under a server's data folder (relative paths), to check that nothing partial stays. */
export function filesUnder(root: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(path.relative(root, p))
    }
  }
  if (existsSync(root)) walk(root)
  return out.sort()
}
