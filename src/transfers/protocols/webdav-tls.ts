/**
 * Whom WebDAV over TLS (`davs://`, `https://`) trusts: Node's built-in roots plus the CAs given —
 * PEM text, or a folder laid out like /etc/grid-security/certificates (IGTF's `<hash>.0` links
 * and `*.pem` files; the signing-policy, namespace and CRL files beside them are skipped). The
 * folder defaults to $X509_CERT_DIR, the grid's variable for it, which xrdcp, gfal2 and davix
 * read as well, so one setting serves every protocol. Verification is never switched off.
 */
import { X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import tls from 'node:tls'
import { ContinuumError } from '../../platform/index.js'

export interface WebdavTlsOptions {
  /** Extra trusted CA certificates as PEM text (a string may hold several). */
  ca?: string | readonly string[] | undefined
  /** A folder of CA certificates in the grid layout; default $X509_CERT_DIR. */
  caDir?: string | undefined
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
/** Certificate files in a CA folder: `*.pem`, `*.crt`, and OpenSSL hash names (`1a2b3c4d.0`). */
const certFileName = /(\.pem|\.crt|^[0-9a-f]{8}\.\d+)$/i

/** The extra CA certificates (PEM), deduplicated; empty when none are configured. */
export function extraCertificates(
  options: WebdavTlsOptions,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const found = new Map<string, string>()
  const given = typeof options.ca === 'string' ? [options.ca] : (options.ca ?? [])
  given.forEach((text, i) => addPems(found, text, `ca[${i}]`, 'ca'))
  const fromEnv = options.caDir === undefined && env.X509_CERT_DIR !== undefined
  const dir = options.caDir ?? (env.X509_CERT_DIR || undefined)
  if (dir !== undefined) {
    const setting = fromEnv ? 'X509_CERT_DIR' : 'caDir'
    let names: string[]
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a folder')
      names = readdirSync(dir).filter((n) => certFileName.test(n))
    } catch (err) {
      throw invalid(setting, `${dir} is not a readable folder of CA certificates`, { dir }, err)
    }
    for (const name of names.sort()) {
      const file = path.join(dir, name)
      addPems(found, readFileSync(file, 'utf8'), file, setting)
    }
    if (names.length === 0) {
      throw invalid(setting, `${dir} holds no CA certificates (*.pem, *.crt or <hash>.0)`, { dir })
    }
  }
  return [...found.values()]
}

function addPems(found: Map<string, string>, text: string, where: string, setting: string): void {
  const blocks = text.match(pemBlock) ?? []
  if (blocks.length === 0) throw invalid(setting, `${where} holds no PEM certificate`, { where })
  for (const pem of blocks) {
    let fingerprint: string
    try {
      fingerprint = new X509Certificate(pem).fingerprint256
    } catch (err) {
      throw invalid(setting, `${where} holds a certificate that does not parse`, { where }, err)
    }
    found.set(fingerprint, pem)
  }
}

function invalid(
  setting: string,
  message: string,
  details: Record<string, unknown>,
  cause?: unknown,
): ContinuumError {
  return new ContinuumError(
    'CONFIG_INVALID',
    `WebDAV TLS ${setting}: ${message}`,
    { setting, ...details },
    cause === undefined ? undefined : { cause },
  )
}

/**
 * A keep-alive agent for https: one TLS handshake per connection, reused across requests. With
 * extra CAs the built-in roots stay trusted (public-CA sites keep working).
 */
/** Request options for one https request on a connection of its own, outside any pool. */
export function unpooledTls(
  options: WebdavTlsOptions,
  env: NodeJS.ProcessEnv = process.env,
): https.RequestOptions {
  const extra = extraCertificates(options, env)
  return { agent: false, ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}) }
}

export function createHttpsAgent(
  options: WebdavTlsOptions,
  env: NodeJS.ProcessEnv = process.env,
): https.Agent {
  const extra = extraCertificates(options, env)
  return new https.Agent({
    keepAlive: true,
    ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}),
  })
}
