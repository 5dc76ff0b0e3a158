/**
 * A real ARC CE (Debian `nordugrid-arc-arex` 6.17) in a temporary folder: its own test CA, host
 * and user certificates made by `arcctl test-ca`, A-REX with the fork back end, and its REST
 * interface on a random port, stopped by process id. A-REX runs as root and maps the test user's
 * certificate subject to `nobody`, as a grid site maps a VO member to a pool account. Tests skip
 * locally when the packages or root are missing, and fail under CI=true.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { freePort } from './nginx.js'
import { tempDir } from './workflows.js'

const startArex = '/usr/share/arc/arc-arex-start'
const startWs = '/usr/share/arc/arc-arex-ws-start'

export interface ArcCe {
  /** The REST interface's base URL, `https://localhost:PORT/arex`. */
  url: string
  dir: string
  /** The test CA's certificate (to trust the CE's host certificate). */
  caFile: string
  /** The test user's certificate and key (the user A-REX lets in). */
  certFile: string
  keyFile: string
  /** A-REX's own log, for a failing test's message. */
  log(): string
  stop(): void
}

export function arcSkipReason(): string | false {
  const missing = [startArex, startWs, '/usr/sbin/arched', '/usr/sbin/arcctl'].filter(
    (f) => !existsSync(f),
  )
  let reason: string | false = false
  if (missing.length > 0) {
    reason = `ARC CE is not installed (missing ${missing.join(', ')}; apt-get install nordugrid-arc-arex nordugrid-arc-arcctl nordugrid-arc-arcctl-service nordugrid-arc-plugins-needed)`
  } else if (process.getuid?.() !== 0) {
    reason = 'ARC CE tests need root (A-REX maps grid users to local accounts)'
  }
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason} (CI=true: ARC CE tests must run)`)
  }
  return reason
}

function pidOf(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined
  } catch {
    return undefined
  }
}

function subjectOf(certFile: string): string {
  const out = execFileSync('openssl', [
    'x509',
    '-in',
    certFile,
    '-noout',
    '-subject',
    '-nameopt',
    'compat',
  ])
  return out
    .toString()
    .trim()
    .replace(/^subject=\s*/, '')
}

export async function startArcCe(): Promise<ArcCe> {
  const dir = tempDir('continuum-arc-')
  for (const sub of ['control', 'session', 'run', 'log']) mkdirSync(path.join(dir, sub))
  // Without DH parameters, A-REX's start script forks `openssl dhparam 4096` into the background:
  // minutes of a core, outliving the test. A standard group (RFC 7919 ffdhe2048) is instant.
  execFileSync('openssl', [
    'genpkey',
    '-genparam',
    '-algorithm',
    'DH',
    '-pkeyopt',
    'group:ffdhe2048',
    '-out',
    path.join(dir, 'control', 'dhparam.pem'),
  ])
  // A-REX insists on a world-writable sticky temporary folder, like /tmp.
  mkdirSync(path.join(dir, 'tmp'))
  chmodSync(path.join(dir, 'tmp'), 0o1777)
  chmodSync(dir, 0o755)
  // The session folder is where jobs run as `nobody`: A-REX makes each job's folder theirs.
  chmodSync(path.join(dir, 'session'), 0o755)

  const ca = path.join(dir, 'ca')
  const arcctl = (args: string[]) =>
    execFileSync('arcctl', ['test-ca', '--ca-dir', ca, ...args], { cwd: dir, stdio: 'pipe' })
  arcctl(['init'])
  arcctl(['hostcert', '-n', 'localhost', '-t'])
  arcctl(['usercert', '-n', 'continuum-test', '-t', '--no-auth'])
  execFileSync('tar', ['xzf', 'hostcert-localhost.tar.gz', '--one-top-level=host'], { cwd: dir })
  execFileSync('tar', ['xzf', 'usercert-continuum-test.tar.gz'], { cwd: dir })
  const user = path.join(dir, 'arc-testca-usercert')
  const caPem = readdirSync(ca).find((f) => /^ARC-TestCA-.*\.pem$/.test(f) && !f.includes('-key'))
  if (!caPem) throw new Error(`arcctl made no CA certificate in ${ca}`)

  const allowed = path.join(dir, 'allowed-subjects')
  writeFileSync(allowed, `"${subjectOf(path.join(user, 'usercert.pem'))}"\n`)
  const port = await freePort()
  const conf = path.join(dir, 'arc.conf')
  writeFileSync(
    conf,
    [
      '[common]',
      'hostname = localhost',
      `x509_host_key = ${dir}/host/hostkey.pem`,
      `x509_host_cert = ${dir}/host/hostcert.pem`,
      `x509_cert_dir = ${dir}/host/certificates`,
      '',
      '[authgroup:users]',
      `file = ${allowed}`,
      '',
      '[mapping]',
      'map_to_user = users nobody:nogroup',
      '',
      '[lrms]',
      'lrms = fork',
      '',
      '[arex]',
      `controldir = ${dir}/control`,
      `sessiondir = ${dir}/session`,
      `logfile = ${dir}/log/arex.log`,
      `pidfile = ${dir}/run/arex.pid`,
      `tmpdir = ${dir}/tmp`,
      `helperlog = ${dir}/log/helper.log`,
      // Look at jobs every few seconds, not every three minutes: tests wait on it.
      'wakeupperiod = 2',
      '',
      '[arex/ws]',
      `wsurl = https://localhost:${port}/arex`,
      `logfile = ${dir}/log/ws.log`,
      `pidfile = ${dir}/run/arex-ws.pid`,
      '',
      '[arex/ws/jobs]',
      'allowaccess = users',
      '',
      '[infosys]',
      `logfile = ${dir}/log/infoprovider.log`,
      '',
      '[infosys/glue2]',
      '',
      '[infosys/cluster]',
      '',
      '[queue:fork]',
      '',
    ].join('\n'),
  )
  const env = { ...process.env, ARC_CONFIG: conf }
  const stop = () => {
    for (const f of ['arex-ws.pid', 'arex.pid']) {
      const pid = pidOf(path.join(dir, 'run', f))
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          // gone already
        }
      }
    }
  }
  const log = () => {
    const parts: string[] = []
    for (const f of ['arex.log', 'ws.log']) {
      try {
        parts.push(readFileSync(path.join(dir, 'log', f), 'utf8').slice(-4000))
      } catch {
        // not written yet
      }
    }
    return parts.join('\n')
  }
  for (const script of [startArex, startWs]) {
    const r = spawnSync(script, [], { env, encoding: 'utf8', timeout: 120_000 })
    if (r.status !== 0) {
      stop()
      throw new Error(`${path.basename(script)} failed (${r.status}): ${r.stdout}${r.stderr}`)
    }
  }
  const deadline = Date.now() + 60_000
  while (!(await listening(port))) {
    if (Date.now() > deadline) {
      stop()
      throw new Error(`A-REX did not listen on ${port} within 60 s:\n${log()}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url: `https://localhost:${port}/arex`,
    dir,
    caFile: path.join(ca, caPem),
    certFile: path.join(user, 'usercert.pem'),
    keyFile: path.join(user, 'userkey.pem'),
    log,
    stop,
  }
}

async function listening(port: number): Promise<boolean> {
  const net = await import('node:net')
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}
