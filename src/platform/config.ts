/**
 * Configuration: one precedence order for every setting —
 *   command-line flag  >  environment variable  >  config file  >  built-in default.
 * The config file is `--config FILE`, else `$CONTINUUM_CONFIG`, else `<home>/config.yaml` when it
 * exists. Unknown keys and ill-typed values are errors, never silently ignored.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { ContinuumError } from './errors.js'
import { logLevels, type LogLevel } from './log-levels.js'

export { logLevels, type LogLevel }

// yaml takes ~40 ms to load and most runs have no config file: it is required (its CommonJS
// build) only when one is read, which keeps every CLI command that quicker.
const requireHere = createRequire(import.meta.url)
const parseYaml = (text: string): unknown =>
  (requireHere('yaml') as { parse: (text: string) => unknown }).parse(text)

export interface Config {
  /** Folder for embedded state: the PGlite database, keys, caches. */
  home: string
  /** Database URL: `postgres://…`, `pglite:<dir>` or `memory:`. */
  db: string
  /** Address and port the API server listens on. */
  host: string
  port: number
  /** API base URL the client and CLI talk to. */
  server: string
  /** Bearer token the client sends, if any. */
  token: string | undefined
  logLevel: LogLevel
  /** Largest request body the API accepts, in bytes. */
  bodyLimit: number
  /** External token issuers trusted by the API (`iss` values, found by OIDC discovery). */
  issuers: string[]
  /** Audiences the API answers to. */
  audiences: string[]
  /** Run the built-in token issuer (embedded mode, demos); off unless configured. */
  builtinIssuer: boolean
  /** Group → community rules, `/escape/lofar=lofar,…`; unmatched groups use their first component. */
  groupCommunities: string
  /**
   * Base paths of trusted issuers (WLCG profile §2.2.3), `https://iam.example=/atlas,…`: an
   * issuer's storage scope paths are read relative to its base path.
   */
  issuerPaths: string
  /** Days finished transfer requests (with attempts and events) are kept. */
  transferHistoryDays: number
  /** Folders under which file:// storage endpoints may be registered (default `<home>/storage`). */
  storageRoots: string[]
  /** Address ranges storage endpoint URLs may use besides public ones: `loopback`, `private`. */
  endpointNetworks: ('loopback' | 'private')[]
  /** Folders under which API clients may name a workflow's workdir (besides `<home>/workflows`). */
  workdirRoots: string[]
  /** Days audit rows are kept (the worker deletes older ones). */
  auditRetentionDays: number
  /** Where the settings came from, for `continuum config` and for error messages. */
  sources: Partial<Record<ConfigKey, ConfigSource>>
}

export type ConfigKey =
  | 'home'
  | 'db'
  | 'host'
  | 'port'
  | 'server'
  | 'token'
  | 'logLevel'
  | 'bodyLimit'
  | 'issuers'
  | 'audiences'
  | 'builtinIssuer'
  | 'groupCommunities'
  | 'issuerPaths'
  | 'transferHistoryDays'
  | 'storageRoots'
  | 'endpointNetworks'
  | 'workdirRoots'
  | 'auditRetentionDays'
export type ConfigSource = 'flag' | 'env' | 'file' | 'default'

/** Values given on the command line; undefined means "not given". */
export type ConfigFlags = Partial<Record<ConfigKey | 'config', string | number | undefined>>

const envNames: Record<ConfigKey, string> = {
  home: 'CONTINUUM_HOME',
  db: 'CONTINUUM_DB',
  host: 'CONTINUUM_HOST',
  port: 'CONTINUUM_PORT',
  server: 'CONTINUUM_SERVER',
  token: 'CONTINUUM_TOKEN',
  logLevel: 'CONTINUUM_LOG_LEVEL',
  bodyLimit: 'CONTINUUM_BODY_LIMIT',
  issuers: 'CONTINUUM_ISSUERS',
  audiences: 'CONTINUUM_AUDIENCES',
  builtinIssuer: 'CONTINUUM_BUILTIN_ISSUER',
  groupCommunities: 'CONTINUUM_GROUP_COMMUNITIES',
  issuerPaths: 'CONTINUUM_ISSUER_PATHS',
  transferHistoryDays: 'CONTINUUM_TRANSFER_HISTORY_DAYS',
  storageRoots: 'CONTINUUM_STORAGE_ROOTS',
  endpointNetworks: 'CONTINUUM_ENDPOINT_NETWORKS',
  workdirRoots: 'CONTINUUM_WORKDIR_ROOTS',
  auditRetentionDays: 'CONTINUUM_AUDIT_RETENTION_DAYS',
}

export const configEnvironment = envNames

const fileKeys = new Set<string>([
  'db',
  'host',
  'port',
  'server',
  'token',
  'logLevel',
  'bodyLimit',
  'issuers',
  'audiences',
  'builtinIssuer',
  'groupCommunities',
  'issuerPaths',
  'transferHistoryDays',
  'storageRoots',
  'endpointNetworks',
  'workdirRoots',
  'auditRetentionDays',
])

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const sources: Config['sources'] = {}

  const home = path.resolve(pick('home', flags, env, {}, sources) ?? '.continuum')
  sources.home ??= 'default'

  const configFile = flagString(flags.config) ?? env.CONTINUUM_CONFIG ?? defaultConfigFile(home)
  const file = configFile === undefined ? {} : readConfigFile(configFile)

  const get = (key: ConfigKey): string | undefined => pick(key, flags, env, file, sources)
  const withDefault = (key: ConfigKey, value: string): string => {
    const given = get(key)
    if (given !== undefined) return given
    sources[key] = 'default'
    return value
  }

  const port = parsePort(withDefault('port', '8080'), sources.port)
  const host = withDefault('host', '127.0.0.1')
  const db = withDefault('db', `pglite:${path.join(home, 'db')}`)
  checkDatabaseUrl(db, sources.db)
  const server = withDefault('server', `http://127.0.0.1:${port}`)
  checkServerUrl(server, sources.server)
  const logLevel = withDefault('logLevel', 'info')
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw invalid('logLevel', sources.logLevel, `expected one of ${logLevels.join(', ')}`, logLevel)
  }
  const bodyLimit = parsePositiveInteger(
    'bodyLimit',
    withDefault('bodyLimit', String(1024 * 1024)),
    sources.bodyLimit,
  )

  const issuers = splitList(withDefault('issuers', ''))
  for (const issuer of issuers) checkServerUrl(issuer, sources.issuers, 'issuers')
  const audiences = splitList(withDefault('audiences', 'continuum'))
  const builtin = withDefault('builtinIssuer', 'off')
  if (!['on', 'off', 'true', 'false'].includes(builtin)) {
    throw invalid('builtinIssuer', sources.builtinIssuer, "expected 'on' or 'off'", builtin)
  }

  const storageRoots = splitList(withDefault('storageRoots', path.join(home, 'storage')))
  for (const root of storageRoots) {
    if (!path.isAbsolute(root)) {
      throw invalid('storageRoots', sources.storageRoots, 'expected absolute folders', root)
    }
  }
  const endpointNetworks = splitList(withDefault('endpointNetworks', ''))
  for (const n of endpointNetworks) {
    if (n !== 'loopback' && n !== 'private') {
      throw invalid(
        'endpointNetworks',
        sources.endpointNetworks,
        "expected 'loopback', 'private'",
        n,
      )
    }
  }

  const workdirRoots = splitList(withDefault('workdirRoots', ''))
  for (const root of workdirRoots) {
    if (!path.isAbsolute(root)) {
      throw invalid('workdirRoots', sources.workdirRoots, 'expected absolute folders', root)
    }
  }

  return {
    home,
    db,
    host,
    port,
    server,
    token: get('token'),
    logLevel: logLevel as LogLevel,
    bodyLimit,
    issuers,
    audiences,
    builtinIssuer: builtin === 'on' || builtin === 'true',
    groupCommunities: withDefault('groupCommunities', ''),
    issuerPaths: withDefault('issuerPaths', ''),
    transferHistoryDays: parsePositiveInteger(
      'transferHistoryDays',
      withDefault('transferHistoryDays', '30'),
      sources.transferHistoryDays,
    ),
    storageRoots: storageRoots.map((r) => path.resolve(r)),
    endpointNetworks: endpointNetworks as Config['endpointNetworks'],
    workdirRoots: workdirRoots.map((r) => path.resolve(r)),
    auditRetentionDays: parsePositiveInteger(
      'auditRetentionDays',
      withDefault('auditRetentionDays', '180'),
      sources.auditRetentionDays,
    ),
    sources,
  }
}

/** A comma-separated setting as a list. */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function pick(
  key: ConfigKey,
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  file: Record<string, string | number>,
  sources: Config['sources'],
): string | undefined {
  const flag = flagString(flags[key])
  if (flag !== undefined) {
    sources[key] = 'flag'
    return flag
  }
  const fromEnv = env[envNames[key]]
  if (fromEnv !== undefined && fromEnv !== '') {
    sources[key] = 'env'
    return fromEnv
  }
  const fromFile = file[key]
  if (fromFile !== undefined) {
    sources[key] = 'file'
    return String(fromFile)
  }
  return undefined
}

function flagString(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value)
}

function defaultConfigFile(home: string): string | undefined {
  const candidate = path.join(home, 'config.yaml')
  return existsSync(candidate) ? candidate : undefined
}

function readConfigFile(file: string): Record<string, string | number> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `cannot read config file ${file}`,
      { file },
      { cause },
    )
  }
  let parsed: unknown
  try {
    parsed = parseYaml(text)
  } catch (cause) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `config file ${file} is not valid YAML: ${(cause as Error).message}`,
      { file },
      { cause },
    )
  }
  if (parsed === null || parsed === undefined) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `config file ${file} must be a mapping of settings`,
      { file },
    )
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!fileKeys.has(key)) {
      throw new ContinuumError(
        'CONFIG_INVALID',
        `config file ${file}: unknown setting '${key}' (known: ${[...fileKeys].join(', ')})`,
        { file, key },
      )
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ContinuumError(
        'CONFIG_INVALID',
        `config file ${file}: setting '${key}' must be a string or number`,
        { file, key },
      )
    }
  }
  return parsed as Record<string, string | number>
}

function invalid(
  key: ConfigKey,
  source: ConfigSource | undefined,
  why: string,
  value: string,
): ContinuumError {
  const where = source === 'env' ? envNames[key] : source === 'flag' ? `--${key}` : key
  return new ContinuumError('CONFIG_INVALID', `${where}: ${why} (got '${value}')`, {
    key,
    source,
    value,
  })
}

function parsePort(value: string, source: ConfigSource | undefined): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) {
    throw invalid('port', source, 'expected a port number 0-65535', value)
  }
  return port
}

function parsePositiveInteger(
  key: ConfigKey,
  value: string,
  source: ConfigSource | undefined,
): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) {
    throw invalid(key, source, 'expected a positive integer', value)
  }
  return n
}

function checkDatabaseUrl(value: string, source: ConfigSource | undefined): void {
  if (value === 'memory:' || /^pglite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value)) return
  throw invalid(
    'db',
    source,
    "expected 'postgres://…', 'pglite:<dir>' or 'memory:'",
    redactUrl(value),
  )
}

function checkServerUrl(
  value: string,
  source: ConfigSource | undefined,
  key: ConfigKey = 'server',
): void {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return
  } catch {
    // reported below
  }
  throw invalid(key, source, 'expected an http:// or https:// URL', value)
}

/** Hides the password in a connection string, for logs and messages. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@')
}
