/**
 * The `continuum` command line. Global options apply to every command; errors print in the
 * catalogue's form and set the catalogue's exit code.
 */
import { CommanderError, type Command } from 'commander'
import { ContinuumError, exitCodes } from '../platform/index.js'
import { ReportedError } from './commands/common.js'
import { printError, processOutput } from './output.js'
import { buildProgram } from './program.js'

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
    const error =
      err instanceof ContinuumError
        ? err
        : new ContinuumError('INTERNAL', (err as Error).message ?? String(err), {}, { cause: err })
    printError(processOutput(json), error)
    if (error.code === 'INTERNAL' && process.env.CONTINUUM_DEBUG) console.error(err)
    return error.exitCode
  }
}

const code = await main(process.argv)
// Long-running commands (serve, demo) keep the event loop alive; the others end here.
if (code !== exitCodes.ok) process.exitCode = code
