/** `continuum landscape survey`: the requirements survey's questions, and answers folded into a profile. */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'

export function surveyCommand(): Command {
  const survey = withExamples(
    new Command('survey').description(
      'The requirements survey: questions, and answers that become a requirement profile',
    ),
    'continuum landscape survey questions',
  )
  survey.addCommand(
    withExamples(
      new Command('questions')
        .description('List the questions, their units and ids')
        .action(async (_o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const { questions } = await client().landscape.survey()
          printResult(out, questions, (qs) =>
            formatTable(qs, [
              { header: 'id', value: (q) => q.id },
              {
                header: 'unit',
                value: (q) => q.unit ?? (q.choices.length ? q.choices.join('|') : q.answer),
              },
              { header: 'question', value: (q) => q.text },
            ]),
          )
        }),
      'continuum landscape survey questions',
    ),
  )
  survey.addCommand(
    withExamples(
      new Command('answer')
        .description('Fold answers (a YAML map of question id → answer) into a use case profile')
        .argument('<use-case>')
        .requiredOption('--answers <file>', 'YAML file: compute.walltimeHours: 72 h …')
        .action(async (useCase: string, opts: { answers: string }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          let answers: unknown
          try {
            answers = parseYaml(readFileSync(opts.answers, 'utf8'))
          } catch (err) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              `${opts.answers}: ${(err as Error).message}`,
            )
          }
          if (!answers || typeof answers !== 'object' || Array.isArray(answers)) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              `${opts.answers}: expected a map of question id to answer`,
            )
          }
          const uc = await client().landscape.answerSurvey(
            useCase,
            answers as Record<string, unknown>,
          )
          printResult(
            out,
            uc,
            (u) => `updated the profile of ${u.name}:\n${JSON.stringify(u.profile, null, 2)}`,
          )
        }),
      'continuum landscape survey answer lofar2-calibration-imaging --answers answers.yaml',
    ),
  )
  return survey
}
