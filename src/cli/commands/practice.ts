/**
 * `continuum practice`: communities of practice at work — working groups, meetings, findings
 * and interviews, drafts under consultation, the knowledge hub. Questionnaires are in
 * practice-survey.ts.
 */
import { type Command } from 'commander'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { draftCommand } from './practice-drafts.js'
import { groupCommand } from './practice-groups.js'
import { cmd, readYamlMap } from './practice-files.js'
import { practiceSurveyCommand } from './practice-survey.js'

export function practiceCommand(): Command {
  const practice = withExamples(
    cmd(
      'practice',
      'Communities of practice: working groups, meetings, surveys, interviews, consultations, the knowledge hub',
    ),
    'continuum practice groups',
    'continuum practice search "multi-year allocations"',
  )
  practice.addCommand(groupsCommand())
  practice.addCommand(groupCommand())
  practice.addCommand(practiceSurveyCommand())
  practice.addCommand(findingCommand())
  practice.addCommand(interviewCommand())
  practice.addCommand(draftCommand())
  practice.addCommand(
    withExamples(
      cmd(
        'search',
        'Search the knowledge hub: documents, charters, meetings, findings, drafts, comments',
      )
        .argument('<query>')
        .option('--limit <n>', 'at most this many hits', '20')
        .action(async (query: string, opts: { limit: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const hits = await client().practice.search(query, Number(opts.limit))
          printResult(out, hits, (hs) =>
            formatTable(hs, [
              { header: 'kind', value: (h) => h.kind },
              { header: 'name', value: (h) => h.name },
              { header: 'group', value: (h) => h.workingGroup ?? '-' },
              { header: 'snippet', value: (h) => h.snippet },
            ]),
          )
        }),
      'continuum practice search "tape recall"',
    ),
  )
  return practice
}

function groupsCommand(): Command {
  return cmd(
    'groups',
    'List working groups with their charter, counts and your role',
    'continuum practice groups --json',
  ).action(async (_o: unknown, c: Command) => {
    const { out, client } = cliContext(c)
    printResult(out, await client().practice.groups(), (gs) =>
      formatTable(gs, [
        { header: 'name', value: (g) => g.name },
        { header: 'community', value: (g) => g.community },
        { header: 'members', value: (g) => String(g.members) },
        { header: 'meetings', value: (g) => String(g.meetings) },
        { header: 'my role', value: (g) => g.myRole ?? '-' },
        { header: 'title', value: (g) => g.title },
      ]),
    )
  })
}

function findingCommand(): Command {
  const finding = cmd(
    'finding',
    'Findings checked in interviews: open, validated or contested',
    'continuum practice finding ls --group wg-requirements-demo',
  )
  finding.addCommand(
    cmd(
      'ls',
      'List findings with status and supporting / contesting interviews',
      'continuum practice finding ls --group wg-requirements-demo',
    )
      .option('--group <name>')
      .action(async (o: { group?: string }, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.findings(o.group), (fs) =>
          formatTable(fs, [
            { header: 'name', value: (f) => f.name },
            { header: 'status', value: (f) => f.status },
            { header: '+/-', value: (f) => `${f.supports}/${f.contests}` },
            { header: 'group', value: (f) => f.workingGroup },
            { header: 'statement', value: (f) => f.statement },
          ]),
        )
      }),
  )
  finding.addCommand(
    cmd(
      'add',
      "State a finding (the group's members)",
      'continuum practice finding add multi-year-allocations --group wg-data --statement "Communities need multi-year allocations"',
    )
      .argument('<name>')
      .requiredOption('--group <name>')
      .requiredOption('--statement <text>')
      .action(async (name: string, o: { group: string; statement: string }, c: Command) => {
        const { out, client } = cliContext(c)
        const f = await client().practice.addFinding({
          name,
          workingGroup: o.group,
          statement: o.statement,
        })
        printResult(out, f, (x) => `finding ${x.name} is ${x.status}`)
      }),
  )
  finding.addCommand(
    withExamples(
      cmd('status', 'Mark a finding validated, contested or open (reviewers)')
        .argument('<name>')
        .argument('<status>', 'validated | contested | open')
        .option('--note <text>')
        .action(async (name: string, status: string, o: { note?: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const f = await client().practice.setFindingStatus(name, status as 'open', o.note)
          printResult(out, f, (x) => `finding ${x.name} is ${x.status}`)
        }),
      'continuum practice finding status multi-year-allocations validated --note "3 of 3 interviews support it"',
    ),
  )
  return finding
}

function interviewCommand(): Command {
  const interview = cmd(
    'interview',
    'Stakeholder interviews recorded against findings',
    'continuum practice interview ls --group wg-requirements-demo',
  )
  interview.addCommand(
    cmd('ls', 'List interviews', 'continuum practice interview ls --group wg-requirements-demo')
      .option('--group <name>')
      .action(async (o: { group?: string }, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.interviews(o.group), (is) =>
          formatTable(is, [
            { header: 'held on', value: (i) => i.heldOn },
            { header: 'interviewee', value: (i) => i.interviewee },
            { header: 'protocol', value: (i) => i.protocol },
            {
              header: 'findings',
              value: (i) => i.findings.map((f) => `${f.finding} (${f.stance})`).join(', '),
            },
          ]),
        )
      }),
  )
  interview.addCommand(
    withExamples(
      cmd(
        'add',
        'Record an interview from a YAML file (workingGroup, interviewee, protocol, heldOn, summary, findings)',
      )
        .argument('<file>')
        .action(async (file: string, _o: unknown, c: Command) => {
          const { out, client } = cliContext(c)
          const i = await client().practice.addInterview(readYamlMap(file) as never)
          printResult(
            out,
            i,
            (x) => `recorded interview ${x.id} against ${x.findings.length} findings`,
          )
        }),
      'continuum practice interview add interview.yaml',
    ),
  )
  return interview
}
