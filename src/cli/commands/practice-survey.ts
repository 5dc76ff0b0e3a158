/** `continuum practice survey`: versioned questionnaires, responses, results and reviews. */
import { type Command } from 'commander'
import type { QuestionSummary } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { cmd, collect, positiveInt, readYamlMap } from './practice-files.js'

export function practiceSurveyCommand(): Command {
  const survey = cmd(
    'survey',
    'Versioned questionnaires, your responses, aggregated results, reviews',
    'continuum practice survey results requirements-survey-demo',
  )
  survey.addCommand(
    cmd('ls', 'List questionnaires', 'continuum practice survey ls').action(
      async (_o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.questionnaires(), (qs) =>
          formatTable(qs, [
            { header: 'name', value: (q) => q.name },
            { header: 'group', value: (q) => q.workingGroup },
            { header: 'version', value: (q) => String(q.latestVersion) },
            { header: 'responses', value: (q) => String(q.responses) },
            { header: 'title', value: (q) => q.title },
          ]),
        )
      },
    ),
  )
  survey.addCommand(
    cmd(
      'show',
      'Versions with their questions, and reviews',
      'continuum practice survey show requirements-survey-demo',
    )
      .argument('<name>')
      .action(async (name: string, _o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.questionnaire(name), (q) =>
          [
            `${q.name} — ${q.title} (group ${q.workingGroup})`,
            ...q.versions.map(
              (v) =>
                `\nversion ${v.version} (${v.responses} responses)\n` +
                formatTable(v.questions, [
                  { header: 'id', value: (x) => x.id },
                  { header: 'kind', value: (x) => x.kind },
                  { header: 'feeds', value: (x) => x.profilePath ?? '-' },
                  { header: 'question', value: (x) => x.text },
                ]),
            ),
            ...q.reviews.map(
              (r) =>
                `\naccepted into ${r.useCase} by ${r.reviewer} at ${r.acceptedAt}: ${JSON.stringify(r.fields)}`,
            ),
          ].join('\n'),
        )
      }),
  )
  survey.addCommand(
    withExamples(
      cmd('add', 'Create a questionnaire from a YAML file (name, title, workingGroup, questions)')
        .argument('<file>')
        .action(async (file: string, _o: unknown, c: Command) => {
          const { out, client } = cliContext(c)
          const q = await client().practice.addQuestionnaire(readYamlMap(file) as never)
          printResult(out, q, (x) => `created ${x.name}, version ${x.latestVersion}`)
        }),
      'continuum practice survey add survey.yaml',
    ),
  )
  survey.addCommand(
    cmd(
      'version',
      'Publish the next version from a YAML file holding `questions:`; old responses stay',
      'continuum practice survey version requirements-2026 survey-v2.yaml',
    )
      .argument('<name>')
      .argument('<file>')
      .action(async (name: string, file: string, _o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        const questions = readYamlMap(file).questions
        if (!Array.isArray(questions)) {
          throw new ContinuumError('INVALID_ARGUMENT', `${file}: expected a 'questions:' list`)
        }
        const q = await client().practice.addVersion(name, questions as never)
        printResult(out, q, (x) => `${x.name} is at version ${x.latestVersion}`)
      }),
  )
  survey.addCommand(
    withExamples(
      cmd(
        'respond',
        'Answer as yourself (a YAML map of question id → answer); again replaces yours',
      )
        .argument('<name>')
        .requiredOption('--answers <file>')
        .option('--community <name>', 'which of your communities you answer for')
        .option('--survey-version <n>', 'the version answered (default: latest)')
        .action(
          async (
            name: string,
            o: { answers: string; community?: string; surveyVersion?: string },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const version = positiveInt(o.surveyVersion, '--survey-version')
            const r = await client().practice.respond(name, {
              answers: readYamlMap(o.answers) as never,
              ...(o.community === undefined ? {} : { community: o.community }),
              ...(version === undefined ? {} : { version }),
            })
            printResult(
              out,
              r,
              (x) => `stored your response to ${x.questionnaire} v${x.version} for ${x.community}`,
            )
          },
        ),
      'continuum practice survey respond requirements-survey --answers mine.yaml',
    ),
  )
  survey.addCommand(
    withExamples(
      cmd('results', 'Aggregated results: per question, per community, per month, and the proposal')
        .argument('<name>')
        .option('--survey-version <n>', 'which version (default: latest)')
        .option('--community <name>')
        .action(
          async (name: string, o: { surveyVersion?: string; community?: string }, c: Command) => {
            const { out, client } = cliContext(c)
            const version = positiveInt(o.surveyVersion, '--survey-version')
            const r = await client().practice.results(name, {
              ...(version === undefined ? {} : { version }),
              ...(o.community === undefined ? {} : { community: o.community }),
            })
            printResult(out, r, (x) =>
              [
                `${x.questionnaire} v${x.version}: ${x.responses} responses${x.community ? ` from ${x.community}` : ''}`,
                summaryTable(x.questions),
                `by community: ${x.byCommunity.map((b) => `${b.community} ${b.responses}`).join(', ') || '-'}`,
                `by month: ${x.overTime.map((b) => `${b.period} ${b.responses}`).join(', ') || '-'}`,
                `proposal (nothing changes until a reviewer accepts): ${JSON.stringify(x.proposal)}`,
              ].join('\n'),
            )
          },
        ),
      'continuum practice survey results requirements-survey --community atlas',
    ),
  )
  survey.addCommand(
    withExamples(
      cmd('accept', "Accept aggregated results into a use case's profile (reviewers)")
        .argument('<name>')
        .requiredOption('--use-case <name>')
        .option(
          '--field <profile-path>',
          'only this field (repeatable; default: the whole proposal)',
          collect,
        )
        .option('--survey-version <n>', 'which version (default: latest)')
        .option('--community <name>', "only this community's responses")
        .action(
          async (
            name: string,
            o: { useCase: string; field?: string[]; surveyVersion?: string; community?: string },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const version = positiveInt(o.surveyVersion, '--survey-version')
            const r = await client().practice.accept(name, {
              useCase: o.useCase,
              ...(o.field === undefined ? {} : { fields: o.field }),
              ...(version === undefined ? {} : { version }),
              ...(o.community === undefined ? {} : { community: o.community }),
            })
            printResult(
              out,
              r,
              (x) =>
                `accepted into ${x.useCase} (from ${x.responses} responses):\n` +
                Object.entries(x.fields)
                  .map(([k, v]) => `  ${k}: ${JSON.stringify(x.before[k])} → ${JSON.stringify(v)}`)
                  .join('\n'),
            )
          },
        ),
      'continuum practice survey accept requirements-survey --use-case lofar2-calibration-imaging --field compute.walltimeHours',
    ),
  )
  return survey
}

function summaryTable(questions: QuestionSummary[]): string {
  return formatTable(questions, [
    { header: 'question', value: (q) => q.id },
    { header: 'answered', value: (q) => String(q.answered) },
    {
      header: 'summary',
      value: (q) =>
        q.median !== undefined
          ? `median ${q.median}${q.unit ? ` ${q.unit}` : ''} (min ${q.min}, max ${q.max}, mean ${q.mean})`
          : q.counts
            ? Object.entries(q.counts)
                .map(([k, n]) => `${k} ${n}`)
                .join(', ')
            : '-',
    },
  ])
}
