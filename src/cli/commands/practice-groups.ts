/**
 * `continuum practice group`: one working group — show, create, charter, members and their
 * roles, leaving, meetings and their corrections.
 */
import { type Command } from 'commander'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { cmd, collect, textOrFile } from './practice-files.js'

export function groupCommand(): Command {
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
                `${m.heldOn}  ${m.title}  (${m.id}${m.updatedAt ? `, corrected ${m.updatedAt.slice(0, 10)}` : ''})\n  ${m.notes}${m.decisions.map((d) => `\n  decided: ${d}`).join('')}`,
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
  group.addCommand(
    withExamples(
      cmd('role', "Change a member's role or display name (coordinators)")
        .argument('<group>')
        .requiredOption(
          '--principal <issuer#subject>',
          'as `continuum practice group show` lists it',
        )
        .option('--role <role>', 'member | coordinator | reviewer')
        .option('--display-name <text>')
        .action(
          async (
            name: string,
            o: { principal: string; role?: string; displayName?: string },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const m = await client().practice.updateMember(name, {
              principal: o.principal,
              ...(o.role === undefined ? {} : { role: o.role as 'member' }),
              ...(o.displayName === undefined ? {} : { displayName: o.displayName }),
            })
            printResult(out, m, (x) => `${x.displayName} is now ${x.role} of ${name}`)
          },
        ),
      'continuum practice group role wg-data --principal "https://iam.example#abc" --role coordinator',
    ),
  )
  group.addCommand(
    withExamples(
      cmd('remove', 'Remove a member (coordinators), or leave the group with your own principal')
        .argument('<group>')
        .requiredOption(
          '--principal <issuer#subject>',
          'the member (`continuum whoami` for yourself)',
        )
        .action(async (name: string, o: { principal: string }, c: Command) => {
          const { out, client } = cliContext(c)
          await client().practice.removeMember(name, o.principal)
          printResult(
            out,
            { workingGroup: name, removed: o.principal },
            (x) => `${x.removed} is no longer a member of ${x.workingGroup}`,
          )
        }),
      'continuum practice group remove wg-data --principal "https://iam.example#abc"',
    ),
  )
  group.addCommand(
    withExamples(
      cmd(
        'meeting-edit',
        "Correct a meeting's record (coordinators, or who recorded it); what is not given stays",
      )
        .argument('<group>')
        .argument('<meeting-id>', 'as `continuum practice group show` lists it')
        .option('--title <text>')
        .option('--held-on <YYYY-MM-DD>')
        .option('--notes <text>', 'notes (or @file)')
        .option(
          '--decision <text>',
          'the decisions, replacing the recorded ones (repeatable)',
          collect,
        )
        .action(
          async (
            name: string,
            id: string,
            o: { title?: string; heldOn?: string; notes?: string; decision?: string[] },
            c: Command,
          ) => {
            const { out, client } = cliContext(c)
            const m = await client().practice.updateMeeting(name, id, {
              ...(o.title === undefined ? {} : { title: o.title }),
              ...(o.heldOn === undefined ? {} : { heldOn: o.heldOn }),
              ...(o.notes === undefined ? {} : { notes: textOrFile(o.notes) }),
              ...(o.decision === undefined ? {} : { decisions: o.decision }),
            })
            printResult(
              out,
              m,
              (x) => `corrected meeting ${x.id} (${x.decisions.length} decisions)`,
            )
          },
        ),
      'continuum practice group meeting-edit wg-data 0190… --decision "Survey until April"',
    ),
  )
  return group
}
