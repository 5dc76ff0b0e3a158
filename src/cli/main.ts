/**
 * The `continuum` command line. Global options apply to every command; errors print in the
 * catalogue's form and set the catalogue's exit code.
 */
import { Command, CommanderError, Option } from 'commander'
import { ContinuumError, exitCodes, logLevels, version } from '../platform/index.js'
import { catalogCommand } from './commands/catalog.js'
import { ReportedError } from './commands/common.js'
import { demoCommand, migrateCommand, serveCommand, workerCommand } from './commands/server-commands.js'
import { usageCommand } from './commands/usage.js'
import { workflowCommand } from './commands/workflow.js'
import { withExamples } from './context.js'
import { printError, processOutput } from './output.js'

export function buildProgram(): Command {
  const program = new Command('continuum')
    .description("Europe's research e-Infrastructures as one compute and data continuum")
    .version(version, '-V, --version')
    .option('--server <url>', 'API server (env CONTINUUM_SERVER, default http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token (env CONTINUUM_TOKEN)')
    .option('--db <url>', 'database for server commands: postgres://…, pglite:<dir> or memory: (env CONTINUUM_DB)')
    .option('--config <file>', 'config file (env CONTINUUM_CONFIG, default <home>/config.yaml)')
    .option('--home <dir>', 'folder for embedded state (env CONTINUUM_HOME, default ./.continuum)')
    .addOption(new Option('--log-level <level>', 'log level (env CONTINUUM_LOG_LEVEL)').choices(logLevels))
    .option('--json', 'machine-readable JSON output')
    .showHelpAfterError('(add --help for usage)')
  program.addCommand(serveCommand())
  program.addCommand(workerCommand())
  program.addCommand(migrateCommand())
  program.addCommand(demoCommand())
  program.addCommand(catalogCommand())
  program.addCommand(workflowCommand())
  program.addCommand(usageCommand())
  return withExamples(program, 'continuum catalog infra ls --json', 'continuum serve --db postgres://127.0.0.1/continuum')
}

function exitOverrideEverywhere(command: Command): void {
  command.exitOverride()
  for (const sub of command.commands) exitOverrideEverywhere(sub)
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  exitOverrideEverywhere(program)
  const json = argv.includes('--json')
  try {
    await program.parseAsync(argv)
    return exitCodes.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, successfully
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.invalid
    }
    if (err instanceof ReportedError) return err.error.exitCode
    const error = err instanceof ContinuumError ? err : new ContinuumError('INTERNAL', (err as Error).message ?? String(err), {}, { cause: err })
    printError(processOutput(json), error)
    if (error.code === 'INTERNAL' && process.env.CONTINUUM_DEBUG) console.error(err)
    return error.exitCode
  }
}

const code = await main(process.argv)
// Long-running commands (serve, demo) keep the event loop alive; the others end here.
if (code !== exitCodes.ok) process.exitCode = code
