/** `continuum landscape usecases review`: a use case is reviewed only with a reviewer and a date. */
import { Command } from 'commander'
import { cliContext, withExamples } from '../context.js'
import { printResult } from '../output.js'

export function reviewCommand(): Command {
  return withExamples(
    new Command('review')
      .description(
        'Mark a use case reviewed: who reviewed it (a person or a role) and when; both are required',
      )
      .argument('<name>')
      .requiredOption('--reviewer <who>', 'the reviewer, e.g. "Radio WG (synthetic reviewer)"')
      .option('--date <yyyy-mm-dd>', 'review date (default: today, UTC)')
      .option('--citation <text>', 'where the figures come from: deliverable, section, page')
      .action(
        async (
          name: string,
          opts: { reviewer: string; date?: string; citation?: string },
          cmd: Command,
        ) => {
          const { out, client } = cliContext(cmd)
          const uc = await client().landscape.useCases.update(name, {
            status: 'reviewed',
            reviewer: opts.reviewer,
            reviewedAt: opts.date ?? new Date().toISOString().slice(0, 10),
            ...(opts.citation ? { citation: opts.citation } : {}),
          })
          printResult(out, uc, (u) => `${u.name}: reviewed by ${u.reviewer} on ${u.reviewedAt}`)
        },
      ),
    'continuum landscape usecases review lofar2-long-term-archive --reviewer "Radio WG (synthetic reviewer)" --date 2026-12-05',
  )
}
