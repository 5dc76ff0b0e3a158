/**
 * Real XrdHttp servers: Debian xrootd-server 5.5 with its HTTP door (libXrdHttp) and HTTP-TPC
 * handler (libXrdHttpTPC), the WebDAV door many WLCG sites run. One xrootd process serves
 * root:// and roots:// on one port, http:// and https:// on another, from a temporary folder,
 * and is stopped by process id. Tests skip locally when XRootD, its HTTP plug-ins or openssl are
 * absent and fail under CI=true.
 *
 * How it is started (what worked here, xrootd 5.5.3):
 *   all.export /                          oss.localroot D/data
 *   xrd.port P1                           xrd.protocol XrdHttp:P2 libXrdHttp.so
 *   xrd.network nodnr                     all.adminpath D/run   all.pidpath D/run
 *   xrootd.chksum adler32                 (HEAD + `Want-Digest: adler32` → `Digest: adler32=…`)
 *   http.exthandler xrdtpc libXrdHttpTPC.so   (COPY + `Source:` → 201, perf markers, success/failure)
 *   xrd.tls D/cert.pem D/key.pem          xrd.tlsca certdir D/certs
 * - 5.5.3 loads the TPC handler only when TLS is configured, so every server gets a certificate.
 *   All servers of one test process share one self-signed certificate for 127.0.0.1/localhost,
 *   which is also the test CA: servers then trust each other for https TPC pulls and roots://.
 * - The key must be mode 0600 ("has excessive access rights" otherwise), owned by the user
 *   xrootd runs as. As root, xrootd drops to `nobody` (`-R nobody`), who then owns D.
 * - `certs/` holds the CA certificate under its OpenSSL hash name (`openssl rehash`), the layout
 *   of /etc/grid-security/certificates; xrdcp/xrdfs take it from X509_CERT_DIR.
 * - XrdHttp creates parent folders on PUT and MKCOL; COPY does not (400 "Unable to create …").
 *   A failed TPC pull leaves an empty destination file behind: the client must delete it.
 * - It does not check bearer tokens without a SciTokens/macaroons plug-in: `tokens` adds the
 *   SciTokens one (xrdhttp-tokens.ts).
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, waitForPort } from './nginx.js'
import { configureTokens, type XrdHttpTokens } from './xrdhttp-tokens.js'
import { xrootdSkipReason } from './xrootd.js'

export interface XrdHttpServer {
  /** http://127.0.0.1:PORT */
  httpUrl: string
  /** https://127.0.0.1:PORT (the same port: XrdHttp tells TLS from plain HTTP per connection) */
  httpsUrl: string
  /** root://127.0.0.1:PORT — append `//path` for a file; `roots://` for TLS. */
  rootUrl: string
  rootsUrl: string
  /** The folder served as `/`. */
  data: string
  /** PEM file of the CA that signed the server certificate (the same for all test servers). */
  caFile: string
  /** A grid-style CA folder (hashed names) holding that CA: use as X509_CERT_DIR. */
  caDir: string
  stop(): Promise<void>
}

function libDirs(): string[] {
  return ['/usr/lib', '/usr/lib64', ...readdirSafe('/usr/lib').map((d) => `/usr/lib/${d}`)]
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** Why XrdHttp tests cannot run here, or false. */
export function xrdhttpSkipReason(): string | false {
  const base = xrootdSkipReason()
  if (base) return base
  const missing = ['libXrdHttp-5.so', 'libXrdHttpTPC-5.so'].filter(
    (lib) => !libDirs().some((d) => existsSync(path.join(d, lib))),
  )
  if (!existsSync('/usr/bin/openssl')) missing.push('/usr/bin/openssl')
  if (missing.length === 0) return false
  const reason = `XrdHttp not available (Debian xrootd-server, openssl): ${missing.join(', ')}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: XrdHttp tests must run)`)
  return reason
}

interface TestCa {
  dir: string
  cert: string
  key: string
  certDir: string
}

let sharedCa: TestCa | undefined

/** One self-signed certificate per test process, for 127.0.0.1 and localhost; removed at exit. */
function testCa(): TestCa {
  if (sharedCa) return sharedCa
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-test-ca-'))
  const cert = path.join(dir, 'cert.pem')
  const key = path.join(dir, 'key.pem')
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=continuum test CA/',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  const certDir = path.join(dir, 'certificates')
  mkdirSync(certDir)
  copyFileSync(cert, path.join(certDir, 'continuum-test-ca.pem'))
  execFileSync('/usr/bin/openssl', ['rehash', certDir], { stdio: 'ignore' })
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  sharedCa = { dir, cert, key, certDir }
  return sharedCa
}

/** `tokens`: the server refuses requests without a valid bearer token from that issuer. */
export async function startXrdHttp(
  options: { tokens?: XrdHttpTokens } = {},
): Promise<XrdHttpServer> {
  const ca = testCa()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-xrdhttp-'))
  const data = path.join(dir, 'data')
  const run = path.join(dir, 'run')
  const certs = path.join(dir, 'certs')
  mkdirSync(data)
  mkdirSync(run)
  mkdirSync(certs)
  const cert = path.join(dir, 'cert.pem')
  const key = path.join(dir, 'key.pem')
  copyFileSync(ca.cert, cert)
  copyFileSync(ca.key, key)
  chmodSync(key, 0o600)
  for (const name of readdirSync(ca.certDir)) {
    copyFileSync(path.join(ca.certDir, name), path.join(certs, name))
  }
  const [rootPort, httpPort] = [await freePort(), await freePort()]
  const tokens = options.tokens ? configureTokens(dir, options.tokens) : undefined
  const conf = path.join(dir, 'xrootd.cfg')
  writeFileSync(
    conf,
    [
      'all.export /',
      `oss.localroot ${data}`,
      `xrd.port ${rootPort}`,
      `xrd.protocol XrdHttp:${httpPort} libXrdHttp.so`,
      'xrd.network nodnr',
      `all.adminpath ${run}`,
      `all.pidpath ${run}`,
      'xrootd.chksum adler32',
      'http.exthandler xrdtpc libXrdHttpTPC.so',
      `xrd.tls ${cert} ${key}`,
      `xrd.tlsca certdir ${certs}`,
      ...(tokens?.config ?? []),
      '',
    ].join('\n'),
  )
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    for (const p of [
      dir,
      data,
      run,
      certs,
      cert,
      key,
      ...readdirSync(certs).map((n) => path.join(certs, n)),
      ...(tokens?.owned ?? []),
    ]) {
      chownSync(p, 65534, 65534)
    }
  }
  const log = path.join(dir, 'xrootd.log')
  const child = spawn(
    '/usr/bin/xrootd',
    ['-c', conf, '-l', log, ...(asRoot ? ['-R', 'nobody'] : [])],
    { stdio: 'ignore', env: { ...process.env, ...tokens?.env } },
  )
  await waitForPort(rootPort, child, log)
  await waitForPort(httpPort, child, log)
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://127.0.0.1:${httpPort}`,
    rootUrl: `root://127.0.0.1:${rootPort}`,
    rootsUrl: `roots://127.0.0.1:${rootPort}`,
    data,
    caFile: ca.cert,
    caDir: ca.certDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
