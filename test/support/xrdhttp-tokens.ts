/**
 * Bearer-token checks on a test XrdHttp (its http and root doors): the SciTokens authorization plug-in (Debian
 * xrootd-scitokens-plugins: libXrdAccSciTokens, scitokens-cpp 0.7) trusting one issuer, as WLCG
 * storage does. scitokens-cpp looks an issuer's keys up in its SQLite key cache
 * ($XDG_CACHE_HOME/scitokens/scitokens_cpp.sqllite) before fetching them over https, so the
 * cache is seeded with the issuer's JWKS and no https issuer has to run.
 *
 * What it adds to the server configuration (xrootd 5.5.3):
 *   ofs.authorize 1
 *   ofs.authlib libXrdAccSciTokens.so config=D/scitokens.cfg
 *   http.header2cgi Authorization authz      (XrdHttp hands the bearer token to the plug-in)
 *   xrootd.seclib libXrdSec.so   sec.protocol ztn   sec.protbind * only ztn
 *                                             (root:// clients present $BEARER_TOKEN by ztn)
 * and scitokens.cfg: `[Global] audience = …` and `[Issuer …] issuer = … base_path = …`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export interface XrdHttpTokens {
  /** The issuer the server trusts (the tokens' `iss`). */
  issuer: string
  /** Its public keys, seeded into the key cache. */
  jwks: { keys: unknown[] }
  /** The `aud` the server accepts: the endpoint's name, as transfer tokens carry it. */
  audience: string
  /** The server folder that token paths are relative to (the endpoint's base); default `/`. */
  basePath?: string
}

/** The plug-in in Debian's multiarch folder for this machine, whichever that is. */
function pluginPresent(): boolean {
  const dirs = ['/usr/lib', '/usr/lib64', ...readdirSync('/usr/lib').map((d) => `/usr/lib/${d}`)]
  return dirs.some((d) => existsSync(path.join(d, 'libXrdAccSciTokens-5.so')))
}

/** Why token-checking XrdHttp servers cannot run here, or false. */
export function xrdhttpTokensSkipReason(): string | false {
  const missing = [
    ...(pluginPresent() ? [] : ['libXrdAccSciTokens-5.so']),
    ...(existsSync('/usr/bin/sqlite3') ? [] : ['/usr/bin/sqlite3']),
  ]
  if (missing.length === 0) return false
  const reason = `XrdHttp token checks not available (Debian xrootd-scitokens-plugins, sqlite3): ${missing.join(', ')}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: these tests must run)`)
  return reason
}

/**
 * Writes the plug-in's configuration and key cache under `dir`. Returns the lines for
 * xrootd.cfg, the environment for the server and the paths the server's user must own.
 */
export function configureTokens(
  dir: string,
  tokens: XrdHttpTokens,
): { config: string[]; env: Record<string, string>; owned: string[] } {
  const cache = path.join(dir, 'cache')
  const keys = path.join(cache, 'scitokens')
  mkdirSync(keys, { recursive: true })
  const db = path.join(keys, 'scitokens_cpp.sqllite')
  const now = Math.floor(Date.now() / 1000)
  // Valid for a day and not due for a refresh: the plug-in never goes to the network.
  const entry = JSON.stringify({
    jwks: tokens.jwks,
    next_update: now + 86_400,
    expires: now + 86_400,
  })
  execFileSync('/usr/bin/sqlite3', [db], {
    input: [
      'CREATE TABLE IF NOT EXISTS keycache (issuer text UNIQUE PRIMARY KEY NOT NULL, keys text NOT NULL);',
      `INSERT INTO keycache VALUES ('${sqlText(tokens.issuer)}', '${sqlText(entry)}');`,
    ].join('\n'),
  })
  const cfg = path.join(dir, 'scitokens.cfg')
  writeFileSync(
    cfg,
    [
      '[Global]',
      `audience = ${tokens.audience}`,
      '',
      '[Issuer continuum]',
      `issuer = ${tokens.issuer}`,
      `base_path = ${tokens.basePath ?? '/'}`,
      '',
    ].join('\n'),
  )
  return {
    config: [
      'ofs.authorize 1',
      `ofs.authlib libXrdAccSciTokens.so config=${cfg}`,
      'http.header2cgi Authorization authz',
      // root:// and roots:// take the token through the ztn security protocol (BEARER_TOKEN).
      'xrootd.seclib libXrdSec.so',
      'sec.protocol ztn',
      'sec.protbind * only ztn',
    ],
    env: { XDG_CACHE_HOME: cache },
    owned: [cache, keys, db, cfg],
  }
}

function sqlText(value: string): string {
  return value.replace(/'/g, "''")
}
