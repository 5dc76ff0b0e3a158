/**
 * The `continuum` command line. Global options apply to every command; errors print in the
 * catalogue's form and set the catalogue's exit code. Only the command being run is loaded
 * (program.ts), so `--help` and client commands start in a fraction of the full tree's time.
 */
import { CommanderError, type Command } from 'commander'
import { ContinuumError, exitCodes } from '../platform/browser.js'
import { ReportedError } from './commands/common.js'
import { buildProgram } from './program.js'

function exitOverrideEverywhere(command: Command): void {
  command.exitOverride()
  for (const sub of command.commands) exitOverrideEverywhere(sub)
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv)
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
    const { printError, processOutput } = await import('./output.js')
    printError(processOutput(json), error)
    if (error.code === 'INTERNAL' && process.env.CONTINUUM_DEBUG) console.error(err)
    return error.exitCode
  }
}

const code = await main(process.argv)
// Long-running commands (serve, demo) keep the event loop alive; the others end here.
if (code !== exitCodes.ok) process.exitCode = code
