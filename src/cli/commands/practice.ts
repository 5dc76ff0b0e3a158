/**
 * `continuum practice`: communities of practice at work — working groups, meetings, findings
 * and interviews, drafts under consultation, the knowledge hub. Questionnaires are in
 * practice-survey.ts.
 */
import { Command } from 'commander'
import type { Draft } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { collect, readText, readYamlMap } from './practice-files.js'
import { practiceSurveyCommand } from './practice-survey.js'

/** A command with its description and, when given, its examples (`--help` shows them). */
const cmd = (name: string, description: string, ...examples: string[]) => {
  const c = new Command(name).description(description)
  return examples.length > 0 ? withExamples(c, ...examples) : c
}

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

function draftCommand(): Command {
  const draft = cmd(
    'draft',
    'Drafts published for consultation, with threaded comments',
    'continuum practice draft ls',
  )
  const summary = (d: Draft) => `${d.name} is ${d.status} (${d.comments.length} comments)`
  draft.addCommand(
    cmd('ls', 'List drafts', 'continuum practice draft ls --json').action(
      async (_o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.drafts(), (ds) =>
          formatTable(ds, [
            { header: 'name', value: (d) => d.name },
            { header: 'status', value: (d) => d.status },
            { header: 'comments', value: (d) => String(d.comments.length) },
            {
              header: 'open',
              value: (d) => String(d.comments.filter((x) => x.status === 'open').length),
            },
            { header: 'title', value: (d) => d.title },
          ]),
        )
      },
    ),
  )
  draft.addCommand(
    cmd(
      'show',
      'A draft and its comment threads',
      'continuum practice draft show blueprint-chapter-demo',
    )
      .argument('<name>')
      .action(async (name: string, _o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.draft(name), (d) => {
          const lines = [`${d.title} — ${d.status}`, '', d.body, '']
          const thread = (parent: string | null, depth: number): void => {
            for (const x of d.comments.filter((y) => y.parent === parent)) {
              const pad = '  '.repeat(depth)
              lines.push(`${pad}[${x.id}] ${x.author}: ${x.body}`)
              if (x.status !== 'open') {
                lines.push(`${pad}  → ${x.status} by ${x.resolvedBy ?? '?'}: ${x.resolution ?? ''}`)
              }
              thread(x.id, depth + 1)
            }
          }
          thread(null, 0)
          return lines.join('\n')
        })
      }),
  )
  draft.addCommand(
    cmd(
      'add',
      "Write a draft (the group's members)",
      'continuum practice draft add access-chapter --group wg-data --title "Access" --body @access.md',
    )
      .argument('<name>')
      .requiredOption('--group <name>')
      .requiredOption('--title <text>')
      .requiredOption('--body <text>', 'the text (or @file)')
      .action(
        async (name: string, o: { group: string; title: string; body: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const d = await client().practice.addDraft({
            name,
            workingGroup: o.group,
            title: o.title,
            body: textOrFile(o.body),
          })
          printResult(out, d, summary)
        },
      ),
  )
  for (const [step, text] of [
    ['publish', 'Open the consultation (coordinators)'],
    ['close', 'End the consultation (coordinators)'],
  ] as const) {
    draft.addCommand(
      cmd(step, text, `continuum practice draft ${step} blueprint-chapter-demo`)
        .argument('<name>')
        .action(async (name: string, _o: unknown, c: Command) => {
          const { out, client } = cliContext(c)
          const p = client().practice
          printResult(
            out,
            await (step === 'publish' ? p.publishDraft(name) : p.closeDraft(name)),
            summary,
          )
        }),
    )
  }
  draft.addCommand(
    withExamples(
      cmd('comment', 'Comment on a draft under consultation, or reply to a comment')
        .argument('<name>')
        .requiredOption('--body <text>')
        .option('--reply-to <comment-id>')
        .action(async (name: string, o: { body: string; replyTo?: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const x = await client().practice.comment(name, {
            body: o.body,
            ...(o.replyTo === undefined ? {} : { parent: o.replyTo }),
          })
          printResult(out, x, (y) => `comment ${y.id} added`)
        }),
      'continuum practice draft comment blueprint-access --body "Which AAI?"',
    ),
  )
  draft.addCommand(
    withExamples(
      cmd('resolve', 'Resolve a comment as accepted, rejected or answered (coordinators)')
        .argument('<name>')
        .argument('<comment-id>')
        .argument('<resolution>', 'accepted | rejected | answered')
        .requiredOption('--note <text>')
        .action(
          async (name: string, id: string, resolution: string, o: { note: string }, c: Command) => {
            const { out, client } = cliContext(c)
            const x = await client().practice.resolveComment(name, id, {
              resolution: resolution as 'accepted',
              note: o.note,
            })
            printResult(out, x, (y) => `comment ${y.id} ${y.status}`)
          },
        ),
      'continuum practice draft resolve blueprint-access 0190… answered --note "Both, federated."',
    ),
  )
  return draft
}

/** `@file` reads the text from a file; anything else is the text itself. */
function textOrFile(value: string): string {
  return value.startsWith('@') ? readText(value.slice(1)) : value
}
