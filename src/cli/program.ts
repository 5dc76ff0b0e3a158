/** The command tree of `continuum`: global options and one sub-command per domain. */
import { Command, Option } from 'commander'
import { logLevels, version } from '../platform/index.js'
import { auditCommand } from './commands/audit.js'
import { loginCommand, logoutCommand, tokenCommand, whoamiCommand } from './commands/auth.js'
import { catalogCommand } from './commands/catalog.js'
import { usageCommand } from './commands/usage.js'
import { workflowCommand } from './commands/workflow.js'
import { dataCommand } from './commands/data.js'
import { transferCommand } from './commands/transfer.js'
import { landscapeCommand } from './commands/landscape.js'
import { policyCommand } from './commands/policy.js'
import {
  demoCommand,
  migrateCommand,
  serveCommand,
  workerCommand,
} from './commands/server-commands.js'
import { withExamples } from './context.js'

export function buildProgram(): Command {
  const program = new Command('continuum')
    .description("Europe's research e-Infrastructures as one compute and data continuum")
    .version(version, '-V, --version')
    .option('--server <url>', 'API server (env CONTINUUM_SERVER, default http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token (env CONTINUUM_TOKEN)')
    .option(
      '--db <url>',
      'database for server commands: postgres://…, pglite:<dir> or memory: (env CONTINUUM_DB)',
    )
    .option('--config <file>', 'config file (env CONTINUUM_CONFIG, default <home>/config.yaml)')
    .option('--home <dir>', 'folder for embedded state (env CONTINUUM_HOME, default ./.continuum)')
    .addOption(
      new Option('--log-level <level>', 'log level (env CONTINUUM_LOG_LEVEL)').choices(logLevels),
    )
    .option('--json', 'machine-readable JSON output')
    .showHelpAfterError('(add --help for usage)')
  program.addCommand(serveCommand())
  program.addCommand(workerCommand())
  program.addCommand(migrateCommand())
  program.addCommand(demoCommand())
  program.addCommand(catalogCommand())
  program.addCommand(landscapeCommand())
  program.addCommand(dataCommand())
  program.addCommand(transferCommand())
  program.addCommand(workflowCommand())
  program.addCommand(usageCommand())
  program.addCommand(loginCommand())
  program.addCommand(tokenCommand())
  program.addCommand(whoamiCommand())
  program.addCommand(logoutCommand())
  program.addCommand(policyCommand())
  program.addCommand(auditCommand())
  return withExamples(
    program,
    'continuum catalog infra ls --json',
    'continuum serve --db postgres://127.0.0.1/continuum',
  )
}
