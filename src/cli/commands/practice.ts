/**
 * `continuum practice`: communities of practice at work — working groups, meetings, findings
 * and interviews, drafts under consultation, the knowledge hub. Questionnaires are in
 * practice-survey.ts.
 */
import { type Command } from 'commander'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { draftCommand } from './practice-drafts.js'
import { cmd, collect, readYamlMap, textOrFile } from './practice-files.js'
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

function groupCommand(): Command {
  const group = cmd(
    'group',
    'One working group: show, create, charter, members, meetings',
    'continuum practice group show wg-requirements-demo',
  )
  group.addCommand(
    cmd(
      'show',
      'Charter history, members with roles, meetings with decisions',
      'continuum practice group show wg-requirements-demo',
    )
      .argument('<name>')
      .action(async (name: string, _o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.group(name), (g) =>
          [
            `${g.name} — ${g.title} (community ${g.community}; your role: ${g.myRole ?? 'none'})`,
            `charter: ${g.charter ?? '-'}`,
            '',
            formatTable(g.memberships, [
              { header: 'member', value: (m) => m.displayName },
              { header: 'role', value: (m) => m.role },
              { header: 'community', value: (m) => m.community },
              { header: 'principal', value: (m) => m.principal },
            ]),
            '',
            ...g.meetingRecords.map(
              (m) =>
                `${m.heldOn}  ${m.title}\n  ${m.notes}${m.decisions.map((d) => `\n  decided: ${d}`).join('')}`,
            ),
          ].join('\n'),
        )
      }),
  )
  group.addCommand(
    withExamples(
      cmd('add', 'Create a working group in one of your communities; you become its coordinator')
        .argument('<name>')
        .requiredOption('--community <name>')
        .requiredOption('--title <text>')
        .requiredOption('--charter <text>', 'the charter (or @file to read it from a file)')
        .requiredOption('--display-name <text>', 'how you appear in the group')
        .action(
          async (
            name: string,
            o: { community: string; title: string; charter: string; displayName: string },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const g = await client().practice.addGroup({
              name,
              community: o.community,
              title: o.title,
              charter: textOrFile(o.charter),
              displayName: o.displayName,
            })
            printResult(out, g, (x) => `created working group ${x.name}; you coordinate it`)
          },
        ),
      'continuum practice group add wg-data --community atlas --title "Data federation" --charter @charter.md --display-name "Member A"',
    ),
  )
  group.addCommand(
    cmd(
      'charter',
      'Adopt a new charter (coordinators); the history is kept',
      'continuum practice group charter wg-data --charter @charter.md',
    )
      .argument('<name>')
      .requiredOption('--charter <text>', 'the charter (or @file)')
      .action(async (name: string, o: { charter: string }, c: Command) => {
        const { out, client } = cliContext(c)
        const g = await client().practice.updateCharter(name, textOrFile(o.charter))
        printResult(out, g, (x) => `${x.name}: charter ${x.charters.length} adopted`)
      }),
  )
  group.addCommand(
    withExamples(
      cmd('member', 'Add a member with a role (coordinators)')
        .argument('<group>')
        .requiredOption('--principal <issuer#subject>', 'as `continuum whoami` shows it')
        .requiredOption('--display-name <text>')
        .requiredOption('--community <name>')
        .option('--role <role>', 'member | coordinator | reviewer', 'member')
        .action(
          async (
            name: string,
            o: { principal: string; displayName: string; community: string; role: string },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const m = await client().practice.addMember(name, {
              principal: o.principal,
              displayName: o.displayName,
              community: o.community,
              role: o.role as 'member',
            })
            printResult(out, m, (x) => `${x.displayName} is now ${x.role} of ${name}`)
          },
        ),
      'continuum practice group member wg-data --principal "https://iam.example#abc" --display-name "Member B" --community lofar --role reviewer',
    ),
  )
  group.addCommand(
    withExamples(
      cmd('meeting', "Record a meeting with notes and decisions (the group's members)")
        .argument('<group>')
        .requiredOption('--title <text>')
        .requiredOption('--held-on <YYYY-MM-DD>')
        .option('--notes <text>', 'notes (or @file)')
        .option('--decision <text>', 'a decision (repeatable)', collect)
        .action(
          async (
            name: string,
            o: { title: string; heldOn: string; notes?: string; decision?: string[] },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const m = await client().practice.addMeeting(name, {
              title: o.title,
              heldOn: o.heldOn,
              ...(o.notes === undefined ? {} : { notes: textOrFile(o.notes) }),
              decisions: o.decision ?? [],
            })
            printResult(out, m, (x) => `recorded meeting ${x.id} (${x.decisions.length} decisions)`)
          },
        ),
      'continuum practice group meeting wg-data --title Kick-off --held-on 2026-01-15 --decision "Survey until March"',
    ),
  )
  return group
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
