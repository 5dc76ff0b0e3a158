/** Help text shared by every command (kept apart from context.ts, which loads the client). */
import type { Command } from 'commander'

/** Adds the "Example" section every command's --help must show. */
export function withExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
  )
}
