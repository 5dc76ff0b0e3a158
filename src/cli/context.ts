/** What every command needs: the resolved configuration, the output, and a client. */
import type { Command } from 'commander'
import { ContinuumClient } from '../client/index.js'
import { loadConfig, type Config, type ConfigFlags } from '../platform/config.js'
import { processOutput, type Output } from './output.js'
import { readToken } from './token-store.js'

export { withExamples } from './help.js'

export interface GlobalOptions {
  server?: string
  token?: string
  db?: string
  config?: string
  home?: string
  logLevel?: string
  json?: boolean
}

export interface CliContext {
  config: Config
  out: Output
  client: () => ContinuumClient
}

export function cliContext(command: Command, extraFlags: ConfigFlags = {}): CliContext {
  const g = command.optsWithGlobals<GlobalOptions>()
  const config = loadConfig({
    server: g.server,
    token: g.token,
    db: g.db,
    config: g.config,
    home: g.home,
    logLevel: g.logLevel,
    ...extraFlags,
  })
  const out = processOutput(g.json === true)
  // An explicit --token / CONTINUUM_TOKEN wins; otherwise the token `continuum login` stored.
  const token = () => config.token ?? readToken(config.home)?.accessToken
  return {
    config,
    out,
    client: () => new ContinuumClient({ server: config.server, token: token() }),
  }
}
